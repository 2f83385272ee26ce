/** The manager's persisted state: one JSON file under `<root>/networks/`, replaced atomically. */
import { mkdir, open, readFile, rename } from "node:fs/promises";
import { join } from "node:path";
import { ProviderError } from "../../contract.js";
import type { PortSpec } from "../../../graph/specs.js";
import type { Endpoint, NetworkRecord, PublishedPort } from "./network-types.js";

export interface StoredNetwork extends NetworkRecord {
  /** VLAN sub-interface infra created for a macvlan network (removed with it). */
  vlanDevice?: string;
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

  constructor(root: string) {
    this.dir = join(root, "networks");
    this.file = join(this.dir, "state.json");
  }

  async load(): Promise<NetworkState> {
    let text: string;
    try {
      text = await readFile(this.file, "utf8");
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return { version: 1, networks: [], containers: [] };
      throw e;
    }
    const parsed = JSON.parse(text) as NetworkState;
    if (parsed.version !== 1) {
      throw new ProviderError("Internal", "INFRA_NET_STATE_VERSION", `network state ${this.file} has unknown version ${String(parsed.version)}`, {
        hint: "this file was written by a newer infra; upgrade infra",
      });
    }
    return parsed;
  }

  /** Write to a temporary file, fsync, rename: a crash leaves the old or the new state, never half. */
  async save(state: NetworkState): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    const fh = await open(tmp, "w", 0o600);
    try {
      await fh.writeFile(JSON.stringify(state, null, 2) + "\n");
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, this.file);
  }
}
