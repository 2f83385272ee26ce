/**
 * A container's network namespace and attachments, per network mode: the host's (`host`), one
 * with loopback only (`none`: pinned by infra-host, ~1 ms, else a private one runc makes, ~8 ms
 * of runc's time), a pinned one wired by the NetworkManager (`bridge`), or a donor's
 * (`container:NAME`). A bridge container's namespace stays pinned until rm, so that its joiners
 * keep their network across a restart of the donor; a `none` container's goes at its exit.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { ContainerSpec, NetworkAttachmentSpec } from "../../../graph/specs.js";
import type { HostHelper } from "../host/host-helper.js";
import { createPinnedNetns, removePinnedNetns } from "../host/netns.js";
import type { Layout } from "../layout.js";
import { isMountPoint } from "../network/host-net.js";
import type { ContainerNetworkResult, Endpoint, NetworkManager } from "../network/network-types.js";
import { runtimeError } from "../runtime-error.js";
import type { ContainerRecord } from "./container-record.js";
import { attachmentChanges, effectiveNetworks } from "./network-attachments.js";

export interface NetworkAttachment {
  /** The OCI network namespace: "host", "private" (runc makes one) or a namespace file. */
  netnsPath: string;
  network?: ContainerNetworkResult;
  /** container:NAME: the donor, whose hostname and /etc files the joiner shares (as Docker does). */
  donor?: ContainerRecord;
}

export interface ContainerNetworkingDeps {
  layout: Layout;
  network?: NetworkManager;
  /** Why the NetworkManager is missing although networking is on (it failed to start). */
  networkError?: string;
  /** The engine's infra-host: namespaces without `unshare`/`nsenter`, and `none` without runc making one. */
  hostHelper?: HostHelper;
  find(idOrName: string): ContainerRecord | undefined;
  list(): ContainerRecord[];
}

export class ContainerNetworking {
  constructor(private readonly d: ContainerNetworkingDeps) {}

  /** The namespace of a `none` container, and of a bridge one when the engine runs without networking. */
  private ownNetns(id: string): string {
    return join(this.d.layout.run, "netns", id);
  }

  /** Makes (or finds again) the container's namespace and wires it, before runc starts. */
  async attach(rec: ContainerRecord): Promise<NetworkAttachment> {
    const spec = rec.spec;
    const mode = spec.networkMode ?? "bridge";
    if (mode === "host") return { netnsPath: "host" };
    if (mode === "none") {
      if (this.d.hostHelper === undefined) return { netnsPath: "private" };
      const path = this.ownNetns(rec.id);
      await createPinnedNetns(path, this.d.hostHelper);
      return { netnsPath: path };
    }
    if (typeof mode === "object") {
      const donor = this.donorOf(rec);
      if (donor.state !== "running" || donor.netnsPath === undefined || donor.pid === undefined)
        throw runtimeError("Conflict", "NETNS_DONOR_DOWN", `container '${mode.container}' whose network namespace '${rec.name}' joins is not running`, `start '${mode.container}' first`);
      const netnsPath = donor.netnsPath === "private" ? `/proc/${donor.pid}/ns/net` : donor.netnsPath;
      return { netnsPath, donor };
    }
    const net = this.d.network;
    if (net === undefined) {
      if (this.d.networkError !== undefined)
        throw runtimeError("Unavailable", "NETWORK_UNAVAILABLE", `bridge networking failed to start in this engine: ${this.d.networkError}`, "fix the cause and restart the engine, or use --network none or host");
      if ((spec.ports?.length ?? 0) > 0 || (spec.networks?.length ?? 0) > 0)
        throw runtimeError("Unavailable", "NETWORK_UNAVAILABLE", "bridge networking is not available in this engine", "use --network none or host");
      // Networking is off (tests): a pinned namespace with loopback only.
      const path = this.ownNetns(rec.id);
      // The helper keeps a namespace already pinned there itself.
      if (this.d.hostHelper !== undefined || !(await isMountPoint(path))) await createPinnedNetns(path, this.d.hostHelper);
      return { netnsPath: path };
    }
    const req = {
      containerId: rec.id,
      containerName: rec.name,
      endpoints: effectiveNetworks(spec).map((n) => ({
        network: n.network,
        aliases: n.aliases ?? [],
        ...(n.ipv4Address ? { ipv4Address: n.ipv4Address } : {}),
        ...(n.macAddress ? { macAddress: n.macAddress } : {}),
      })),
      ports: spec.ports ?? [],
      links: spec.links ?? [],
    };
    const planned = net.netnsPath?.(rec.id);
    const creating = net.createNetns(rec.id);
    try {
      if (planned === undefined) {
        const netnsPath = await creating;
        return { netnsPath, network: await net.setUpContainer({ ...req, netnsPath }) };
      }
      // Asked for at once, the set-up queues right behind the namespace (one round trip to infra-net for both).
      const [made, wired] = await Promise.allSettled([creating, net.setUpContainer({ ...req, netnsPath: planned })]);
      if (made.status === "rejected") {
        if (wired.status === "fulfilled") await net.tearDownContainer(rec.id).catch(() => undefined);
        throw made.reason;
      }
      if (wired.status === "rejected") throw wired.reason;
      return { netnsPath: made.value, network: wired.value };
    } catch (e) {
      if (this.runningJoiners(rec).length === 0) await net.removeNetns(rec.id).catch(() => undefined);
      throw e;
    }
  }

  /**
   * After the container's processes are gone: release addresses, ports and names, unless running
   * joiners still use the namespace. Returns whether the attachments are still in place. The
   * namespace file itself stays until `release`.
   */
  async afterExit(rec: ContainerRecord): Promise<boolean> {
    const mode = rec.spec.networkMode ?? "bridge";
    // `none`: a pinned namespace holds nothing worth keeping, unless joiners still run in it.
    if (mode === "none") {
      if (this.pinnedNone(rec) && this.runningJoiners(rec).length === 0) await removePinnedNetns(rec.netnsPath!, this.d.hostHelper);
      return false;
    }
    if (mode !== "bridge" || this.d.network === undefined || rec.network === undefined) return false;
    if (this.runningJoiners(rec).length > 0) return true;
    await this.d.network.tearDownContainer(rec.id);
    return false;
  }

  /** A joiner exited: its donor, if it is down and nobody else shares its namespace, can let go. */
  async donorToRelease(rec: ContainerRecord): Promise<ContainerRecord | undefined> {
    const mode = rec.spec.networkMode;
    if (typeof mode !== "object" || this.d.network === undefined) return undefined;
    const donor = this.d.find(mode.container);
    if (donor === undefined || donor.state === "running" || donor.state === "paused" || donor.network === undefined) return undefined;
    if (this.runningJoiners(donor).some((j) => j.id !== rec.id)) return undefined;
    await this.d.network.tearDownContainer(donor.id);
    return donor;
  }

  /** rm: everything, the namespace file included. */
  async release(rec: ContainerRecord): Promise<void> {
    const mode = rec.spec.networkMode ?? "bridge";
    // `none`: gone at exit, unless the start failed after pinning it or joiners kept it.
    if (mode === "none") {
      const path = this.ownNetns(rec.id);
      if (this.d.hostHelper !== undefined || existsSync(path)) await removePinnedNetns(path, this.d.hostHelper);
      return;
    }
    if (mode !== "bridge") return;
    if (this.d.network !== undefined) {
      await this.d.network.tearDownContainer(rec.id);
      await this.d.network.removeNetns(rec.id);
    } else {
      await removePinnedNetns(this.ownNetns(rec.id), this.d.hostHelper);
    }
  }

  /** A `none` container's namespace that the engine pinned (not one runc made). */
  private pinnedNone(rec: ContainerRecord): boolean {
    return rec.netnsPath !== undefined && rec.netnsPath === this.ownNetns(rec.id);
  }

  /**
   * Brings a container's attachments to `wanted` (its new `networks`): disconnects what went
   * away or changed and connects what is new, on the live namespace when the container is wired.
   * Returns the list with canonical network names, and the wiring after the change.
   */
  async applyNetworks(rec: ContainerRecord, wanted: NetworkAttachmentSpec[]): Promise<{ networks: NetworkAttachmentSpec[]; network?: ContainerNetworkResult }> {
    const mode = rec.spec.networkMode ?? "bridge";
    if (mode !== "bridge")
      throw runtimeError("Invalid", "NETWORK_MODE_CONFLICT", `container '${rec.name}' uses network mode ${typeof mode === "object" ? `container:${mode.container}` : mode}; it cannot join networks`, "recreate it with the bridge network mode");
    const net = this.d.network;
    if (net === undefined) throw runtimeError("Unavailable", "NETWORK_UNAVAILABLE", this.d.networkError ?? "networking is not available in this engine");
    const networks: NetworkAttachmentSpec[] = [];
    for (const w of wanted) {
      const n = await net.inspectNetwork(w.network);
      if (n === undefined) throw runtimeError("NotFound", "NETWORK_NOT_FOUND", `no such network: ${w.network}`, "`infra network ls` lists networks");
      networks.push({ ...w, network: n.name });
    }
    const { remove, add } = attachmentChanges(effectiveNetworks(rec.spec), effectiveNetworks({ networks }));
    if (rec.network === undefined) return { networks };
    let endpoints: Endpoint[] = [...rec.network.endpoints];
    for (const r of remove) {
      if (!endpoints.some((e) => e.network === r.network)) continue;
      await net.disconnect(rec.id, r.network);
      endpoints = endpoints.filter((e) => e.network !== r.network);
    }
    for (const a of add) {
      const ep = await net.connect(rec.id, {
        network: a.network,
        aliases: a.aliases ?? [],
        ...(a.ipv4Address ? { ipv4Address: a.ipv4Address } : {}),
        ...(a.macAddress ? { macAddress: a.macAddress } : {}),
      });
      endpoints.push(ep);
    }
    const ips = new Set(endpoints.map((e) => e.ipv4Address));
    return { networks, network: { ...rec.network, endpoints, ports: rec.network.ports.filter((p) => ips.has(p.containerIp)) } };
  }

  /** A network's name from its name or id (specs keep names). */
  async networkName(nameOrId: string): Promise<string> {
    const n = await this.d.network?.inspectNetwork(nameOrId);
    if (n === undefined) {
      if (this.d.network === undefined) throw runtimeError("Unavailable", "NETWORK_UNAVAILABLE", this.d.networkError ?? "networking is not available in this engine");
      throw runtimeError("NotFound", "NETWORK_NOT_FOUND", `no such network: ${nameOrId}`, "`infra network ls` lists networks");
    }
    return n.name;
  }

  /** The container whose namespace `rec` joins. */
  donorOf(rec: Pick<ContainerRecord, "id" | "name" | "spec">): ContainerRecord {
    const mode = rec.spec.networkMode;
    if (typeof mode !== "object") throw runtimeError("Internal", "NOT_A_JOINER", `container '${rec.name}' does not join another's network namespace`);
    const donor = this.d.find(mode.container);
    if (donor === undefined)
      throw runtimeError("NotFound", "CONTAINER_NOT_FOUND", `no such container: ${mode.container} (network mode of '${rec.name}')`, "`infra ps -a` lists containers");
    if (donor.id === rec.id) throw runtimeError("Invalid", "NETWORK_MODE_SELF", `container '${rec.name}' cannot join its own network namespace`);
    return donor;
  }

  /** Running containers that share `rec`'s namespace. */
  runningJoiners(rec: Pick<ContainerRecord, "id">): ContainerRecord[] {
    return this.d.list().filter((c) => {
      const m = c.spec.networkMode;
      return typeof m === "object" && (c.state === "running" || c.state === "paused") && this.d.find(m.container)?.id === rec.id;
    });
  }
}

/** Docker's "conflicting options" for a network mode, checked at create. */
export function checkNetworkMode(spec: ContainerSpec): void {
  const mode = spec.networkMode ?? "bridge";
  const conflict = (what: string, hint: string) => {
    const m = typeof mode === "object" ? `container:${mode.container}` : mode;
    throw runtimeError("Invalid", "NETWORK_MODE_CONFLICT", `conflicting options: ${what} and the network mode ${m}`, hint);
  };
  if (typeof mode === "object") {
    if (mode.container === spec.name) conflict("joining itself", "name another container");
    if ((spec.ports?.length ?? 0) > 0) conflict("published ports", "publish the ports on the container that owns the namespace");
    if ((spec.networks?.length ?? 0) > 0) conflict("networks", "attach the owner of the namespace to the networks");
    if ((spec.links?.length ?? 0) > 0) conflict("links", "link from the owner of the namespace");
    // hostname is not refused: the DSL always sets one; a joiner takes its donor's, as in Docker.
    if ((spec.dns?.length ?? 0) > 0 || (spec.extraHosts?.length ?? 0) > 0) conflict("dns/extra hosts", "set them on the owner of the namespace");
  } else if (mode === "host" || mode === "none") {
    if ((spec.networks?.length ?? 0) > 0) conflict("networks", "use the bridge network mode to join networks");
    if (mode === "none" && (spec.ports?.length ?? 0) > 0) conflict("published ports", "a container without network cannot publish ports");
  } else if (mode !== "bridge") {
    throw runtimeError("Invalid", "BAD_NETWORK_MODE", `unknown network mode '${String(mode)}'`, "bridge, host, none or container:NAME");
  }
}
