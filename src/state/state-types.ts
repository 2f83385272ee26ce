import type { ResourceOptions, ResourceType } from "../graph/resource.js";
import type { Props, Value } from "../graph/value.js";

/** The state format version this build writes. A newer file is refused, never overwritten. */
export const STATE_FORMAT_VERSION = 1;

/** One object infra manages, as last applied or refreshed. */
export interface ResourceState {
  address: string;
  type: ResourceType;
  provider: string;
  /** The provider's id for the real object. */
  id: string;
  /** Inputs as applied (references resolved; secrets kept wrapped as `{$secret}`). */
  props: Props;
  outputs: Props;
  /** Addresses it depended on when applied: deletes run in the reverse of this order. */
  dependencies: string[];
  options: Pick<ResourceOptions, "protect" | "retainOnDelete" | "deleteBeforeReplace">;
  /** ISO time of the last create or update. */
  updatedAt: string;
}

/**
 * An object left over from a create-before-delete replacement (Terraform's "deposed" object):
 * recorded before the replacement is created and dropped once it is deleted, so that a process
 * that dies in between leaves a record the next plan deletes.
 */
export interface DeposedObject extends Pick<ResourceState, "address" | "type" | "provider" | "id" | "props" | "outputs" | "dependencies"> {
  /** ISO time it was deposed. */
  deposedAt: string;
}

/** An object infra let go on purpose (see released-objects.ts): never taken for an orphan. */
export interface ReleasedObject extends Pick<ResourceState, "address" | "type" | "provider" | "id"> {
  /** ISO time it was let go. */
  releasedAt: string;
}

export interface StateFile {
  formatVersion: number;
  /** Random id fixed when the state is first written; a saved plan must match it. */
  lineage: string;
  /** Incremented on every write; a saved plan must match it. */
  serial: number;
  stack: string;
  /** Version of infra that last wrote it. */
  infraVersion: string;
  resources: ResourceState[];
  outputs: Record<string, Value>;
  /**
   * Objects awaiting deletion after an interrupted replacement. Kept apart from `resources` so
   * that they survive whatever happens to the current object at the same address. Absent when empty.
   */
  deposed?: DeposedObject[];
  /** Objects forgotten on purpose that still carry the stack's labels. Absent when empty. */
  released?: ReleasedObject[];
}

export function emptyState(stack: string, lineage: string, infraVersion: string): StateFile {
  return { formatVersion: STATE_FORMAT_VERSION, lineage, serial: 0, stack, infraVersion, resources: [], outputs: {} };
}

/** Information a lock file records about its holder. */
export interface LockInfo {
  id: string;
  pid: number;
  host: string;
  command: string;
  createdAt: string;
}

/** A place state lives: the local file backend by default, etcd for teams and clusters. */
export interface StateBackend {
  /** Human description, e.g. the path of the state file. */
  readonly location: string;
  /** Reads the state; `undefined` when none has been written yet. Refuses corrupt or newer files. */
  read(): Promise<StateFile | undefined>;
  /** Writes atomically; the previous version is kept as a backup. Increments nothing itself. */
  write(state: StateFile): Promise<void>;
  /** Takes the lock, waiting up to `timeoutMs`; throws naming the holder after that. */
  lock(info: Omit<LockInfo, "id" | "createdAt">, timeoutMs: number): Promise<StateLock>;
}

export interface StateLock {
  readonly info: LockInfo;
  /**
   * Set when the lock was taken over from a holder that is gone (a process killed while holding
   * it): its record, or "unreadable" for a lock file that was no lock record.
   */
  readonly tookOverFrom?: LockInfo | "unreadable";
  release(): Promise<void>;
}
