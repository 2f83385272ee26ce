/**
 * The manager's persisted state under `<root>/networks/`, each file replaced atomically:
 * `state.json` holds the networks and is fsynced (a host crash must not lose them);
 * `containers.json` holds the containers' endpoints and ports, run state written on every start
 * and exit without fsync (a host crash ends those containers anyway; an engine crash loses
 * nothing written).
 */
import { mkdirSync } from "node:fs";
import { readReplacedFile, replaceFileNow } from "../host/atomic-write.js";
import { open, readFile, rename } from "node:fs/promises";
import { join } from "node:path";
import { ProviderError } from "../../contract.js";
import type { PortSpec } from "../../../graph/specs.js";
import type { Endpoint, NetworkRecord, PublishedPort } from "./network-types.js";

export interface StoredNetwork extends NetworkRecord {
  /** VLAN sub-interface infra created for a macvlan network (removed with it). */
  vlanDevice?: string;
  /**
   * Saved (durably) before the network's first host effect and cleared after its last: a record
   * that still says so at start is a create a kill interrupted, and is undone.
   */
  creating?: true;
}

export interface StoredEndpoint extends Endpoint {
  networkId: string;
  /** The container's default route goes through this endpoint. */
  hasDefaultRoute?: boolean;
}

export interface ContainerNetState {
  containerId: string;
  containerName: string;
  netnsPath: string;
  endpoints: StoredEndpoint[];
  ports: PublishedPort[];
  links: Array<{ container: string; alias: string }>;
  /** The port specs asked for (absent in state written before it was kept): a repeated set-up compares them. */
  portSpecs?: PortSpec[];
}

export interface NetworkState {
  version: 1;
  networks: StoredNetwork[];
  containers: ContainerNetState[];
}

export class NetworkStore {
  readonly dir: string;
  readonly file: string;
  readonly containersFile: string;
  /** The networks as last read or written: state.json is rewritten only when they change. */
  private savedNetworks: string | undefined;
  private dirMade = false;

  constructor(root: string) {
    this.dir = join(root, "networks");
    this.file = join(this.dir, "state.json");
    this.containersFile = join(this.dir, "containers.json");
  }

  async load(): Promise<NetworkState> {
    const text = await readIfExists(this.file);
    if (text === undefined) {
      this.savedNetworks = undefined;
      return { version: 1, networks: [], containers: await this.loadContainers([]) };
    }
    const parsed = JSON.parse(text) as NetworkState;
    if (parsed.version !== 1) {
      throw new ProviderError("Internal", "INFRA_NET_STATE_VERSION", `network state ${this.file} has unknown version ${String(parsed.version)}`, {
        hint: "this file was written by a newer infra; upgrade infra",
      });
    }
    // Containers kept in state.json (written before containers.json existed) move out on the next save.
    const inline = parsed.containers ?? [];
    this.savedNetworks = inline.length === 0 ? JSON.stringify(parsed.networks) : undefined;
    return { version: 1, networks: parsed.networks, containers: await this.loadContainers(inline) };
  }

  /** Writes the containers' file, and the networks' file when the networks changed. */
  async save(state: NetworkState): Promise<void> {
    if (!this.dirMade) mkdirSync(this.dir, { recursive: true });
    this.dirMade = true;
    // At once on purpose: a small page-cache write takes less than a wait for the busy engine's thread pool.
    replaceFileNow(this.containersFile, JSON.stringify({ version: 1, containers: state.containers }) + "\n", 0o600);
    const networks = JSON.stringify(state.networks);
    if (networks === this.savedNetworks) return;
    await writeDurably(this.file, JSON.stringify({ version: 1, networks: state.networks, containers: [] }, null, 2) + "\n");
    this.savedNetworks = networks;
  }

  /** containers.json, else what state.json held; unreadable (a host crash while writing): none. */
  private async loadContainers(inline: ContainerNetState[]): Promise<ContainerNetState[]> {
    let text: string | undefined;
    try {
      text = readReplacedFile(this.containersFile);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
    }
    if (text === undefined) return inline;
    try {
      const parsed = JSON.parse(text) as { version?: number; containers?: ContainerNetState[] };
      if (parsed.version !== 1) {
        throw new ProviderError("Internal", "INFRA_NET_STATE_VERSION", `network state ${this.containersFile} has unknown version ${String(parsed.version)}`, {
          hint: "this file was written by a newer infra; upgrade infra",
        });
      }
      return parsed.containers ?? [];
    } catch (e) {
      if (e instanceof SyntaxError) return [];
      throw e;
    }
  }
}

async function readIfExists(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw e;
  }
}

/** Write to a temporary file, fsync, rename: a crash leaves the old or the new state, never half. */
async function writeDurably(file: string, text: string): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  const fh = await open(tmp, "w", 0o600);
  try {
    await fh.writeFile(text);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, file);
}
