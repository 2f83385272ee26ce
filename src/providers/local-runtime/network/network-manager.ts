/**
 * The local engine's networking: networks (bridge, macvlan and the predefined bridge/host/none),
 * container endpoints, published ports and the embedded DNS. Decisions come from the pure
 * modules (ipam, nft-ruleset, port-plan, dns-zone); effects go through HostNet, Nft and
 * DnsServer. Every operation validates everything before it changes anything, runs one at a
 * time, and persists the state file after it succeeds.
 */
import { mkdir, readdir } from "node:fs/promises";
import { join } from "node:path";
import type { NetworkSpec } from "../../../graph/specs.js";
import type { Diagnostic } from "../../../diag/diagnostic.js";
import type { LocalNetworkManager, NetworkManagerOptions } from "./local-network-manager.js";
import { ProviderError } from "../../contract.js";
import { ForwardAccept } from "./forward-accept.js";
import { forwardDropWarning } from "./forward-drop-check.js";
import { keepAddresses, sameSetUp } from "./endpoint-reuse.js";
import { DnsServer } from "./dns-server.js";
import { dnsViewsOf, linkHostsEntry, nameserversFor } from "./dns-records.js";
import { HostNet, vlanName } from "./host-net.js";
import { HostHelper } from "../host/host-helper.js";
import { DEFAULT_POOL, chooseSubnet, macFromIp, planSubnet } from "./ipam.js";
import { PREDEFINED, checkBridgePrefix, checkNetworkName, defaultBridgeName, newNetworkId } from "./network-naming.js";
import { attachableNetwork, findNetwork, mtuOf, planNetwork, publicEndpoint, publicRecord, toNat } from "./network-plan.js";
import { type ContainerNetState, NetworkStore, type NetworkState, type StoredNetwork } from "./network-store.js";
import type {
  ContainerNetworkRequest,
  ContainerNetworkResult,
  Endpoint,
  EndpointRequest,
  NetworkRecord,
  PublishedPort,
} from "./network-types.js";
import { Nft } from "./nft.js";
import { renderPortElements, renderRuleset } from "./nft-ruleset.js";
import { EndpointWiring } from "./endpoint-wiring.js";
import { noteMissingBridges, removeStrayBridges, removeStrayVeths, undoInterruptedCreates } from "./network-repair.js";
import { faultPoint } from "../host/fault-point.js";
import { logRepair } from "../host/repair-log.js";

export type { LocalNetworkManager, NetworkManagerOptions } from "./local-network-manager.js";

export async function createNetworkManager(opts: NetworkManagerOptions): Promise<LocalNetworkManager> {
  const m = new LocalNetworks(opts);
  await m.load();
  return m;
}

class LocalNetworks implements LocalNetworkManager {
  readonly table: string;
  private readonly prefix: string;
  private readonly pool: string[];
  private readonly store: NetworkStore;
  private readonly host: HostNet;
  private readonly nft: Nft;
  private readonly forward: ForwardAccept;
  private readonly dns: DnsServer;
  private readonly wiring: EndpointWiring;
  private state: NetworkState = { version: 1, networks: [], containers: [] };
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly opts: NetworkManagerOptions) {
    this.table = opts.tablePrefix ?? "infra";
    this.prefix = opts.bridgePrefix ?? "infra";
    checkBridgePrefix(this.prefix);
    this.pool = opts.pool ?? DEFAULT_POOL;
    this.store = new NetworkStore(opts.root);
    // The engine's shared helper when it passes one (and closes it itself), else one of our own.
    this.host = opts.hostHelper !== undefined ? new HostNet(undefined, opts.hostHelper ?? undefined, false) : new HostNet(undefined, HostHelper.find());
    this.nft = new Nft(this.table);
    this.forward = new ForwardAccept(this.table);
    this.dns = new DnsServer({ ...(opts.dnsUpstreams ? { upstreams: opts.dnsUpstreams } : {}), ...(opts.dnsPort ? { port: opts.dnsPort } : {}) });
    this.wiring = new EndpointWiring(this.host);
  }

  async load(): Promise<void> {
    this.state = await this.store.load();
  }

  /** Operations run one at a time: each sees the state the previous one left. */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.queue.then(fn, fn);
    this.queue = next.catch(() => undefined);
    return next;
  }

  netnsPath(containerId: string): string {
    return join(this.opts.run, "netns", containerId);
  }

  init(): Promise<void> {
    return this.serial(async () => {
      this.host.warmUp();
      await mkdir(join(this.opts.run, "netns"), { recursive: true });
      await this.dns.loadUpstreams();
      const now = new Date().toISOString();
      const predefined = (name: string, driver: NetworkRecord["driver"]): StoredNetwork => ({
        id: newNetworkId(), name, driver, subnet: "", gateway: "", internal: false, labels: {}, options: {}, device: "", createdAt: now,
      });
      if (!this.find("host")) this.state.networks.push(predefined("host", "host"));
      if (!this.find("none")) this.state.networks.push(predefined("none", "null"));
      if (this.opts.defaultBridge !== false && !this.find("bridge")) {
        const hostRanges = await this.host.hostRanges();
        const subnet = chooseSubnet(this.pool, this.subnets(), hostRanges);
        const plan = planSubnet({ subnet }, [], []);
        this.state.networks.push({ ...predefined("bridge", "bridge"), ...plan, device: defaultBridgeName(this.prefix) });
      }
      // What a kill left (half-made networks, bridges without a record) goes before the restore.
      await undoInterruptedCreates(this.state, this.host);
      await removeStrayBridges(this.state, this.host, this.prefix);
      noteMissingBridges(this.state, this.host);
      // Restore after a restart (or first start): devices, rules and DNS from the state file.
      for (const n of this.bridges()) await this.host.ensureBridge(n.device, `${n.gateway}/${n.subnet.split("/")[1]}`, mtuOf(n), macFromIp(n.gateway));
      if (this.bridges().some((n) => !n.internal)) await this.host.enableForwarding();
      await this.syncTable();
      for (const n of this.dnsNetworks()) await this.dns.listen(n.id, n.gateway);
      this.refreshDns();
      await this.store.save(this.state);
    });
  }

  createNetwork(spec: NetworkSpec): Promise<NetworkRecord> {
    return this.serial(async () => {
      checkNetworkName(spec.name);
      if (this.find(spec.name)) {
        throw new ProviderError("AlreadyExists", "INFRA_NET_EXISTS", `network "${spec.name}" already exists`, {
          hint: "pick another name, or remove the existing network first",
        });
      }
      const taken = this.state.networks.filter((n) => n.subnet !== "").map((n) => ({ name: n.name, subnet: n.subnet }));
      const rec = planNetwork(spec, {
        taken,
        hostRanges: spec.driver === "bridge" ? await this.host.hostRanges() : [],
        pool: this.pool,
        bridgePrefix: this.prefix,
        linkExists: (name) => this.host.linkExists(name),
      });
      const vlanDevice = spec.vlan !== undefined && spec.parent !== undefined ? vlanName(spec.parent, spec.vlan) : undefined;
      if (vlanDevice !== undefined) {
        rec.device = vlanDevice;
        rec.vlanDevice = vlanDevice;
      }
      // The record reaches the disk first, marked: whatever a kill leaves from here on, the next start can tell and undo.
      rec.creating = true;
      this.state.networks.push(rec);
      try {
        await this.store.save(this.state);
        faultPoint("network-create:recorded", spec.name);
        if (spec.vlan !== undefined && spec.parent !== undefined) await this.host.ensureVlan(spec.parent, spec.vlan);
        if (rec.driver === "bridge") {
          await this.host.ensureBridge(rec.device, `${rec.gateway}/${rec.subnet.split("/")[1]}`, mtuOf(rec), macFromIp(rec.gateway));
          faultPoint("network-create:bridge", spec.name);
          if (!rec.internal) await this.host.enableForwarding();
          await this.syncTable();
          await this.dns.listen(rec.id, rec.gateway);
          this.refreshDns();
        }
        delete rec.creating;
        await this.store.save(this.state);
      } catch (e) {
        // Nothing half-made: drop the record, the device and the rules again.
        this.state.networks = this.state.networks.filter((n) => n.id !== rec.id);
        await this.store.save(this.state).catch(() => undefined);
        await this.dns.unlisten(rec.id).catch(() => undefined);
        this.refreshDns();
        if (rec.driver === "bridge") await this.host.deleteLink(rec.device).catch(() => undefined);
        if (rec.vlanDevice) await this.host.deleteLink(rec.vlanDevice).catch(() => undefined);
        await this.syncTable().catch(() => undefined);
        throw e;
      }
      return publicRecord(rec);
    });
  }

  async inspectNetwork(nameOrId: string): Promise<NetworkRecord | undefined> {
    const n = this.find(nameOrId);
    return n === undefined ? undefined : publicRecord(n);
  }

  async listNetworks(): Promise<NetworkRecord[]> {
    return this.state.networks.map(publicRecord);
  }

  removeNetwork(nameOrId: string): Promise<void> {
    return this.serial(async () => {
      const n = this.mustFind(nameOrId);
      if (PREDEFINED.has(n.name)) {
        throw new ProviderError("Invalid", "INFRA_NET_PREDEFINED", `"${n.name}" is a predefined network and cannot be removed`, {
          hint: "only networks made with `network create` can be removed",
        });
      }
      const users = this.state.containers.filter((c) => c.endpoints.some((e) => e.networkId === n.id));
      if (users.length > 0) {
        throw new ProviderError("Conflict", "INFRA_NET_IN_USE", `network "${n.name}" has containers attached: ${users.map((c) => c.containerName).join(", ")}`, {
          hint: "disconnect or remove those containers first",
        });
      }
      await this.dropNetwork(n);
      await this.store.save(this.state);
    });
  }

  pruneNetworks(): Promise<string[]> {
    return this.serial(async () => {
      const unused = this.state.networks.filter(
        (n) => !PREDEFINED.has(n.name) && !this.state.containers.some((c) => c.endpoints.some((e) => e.networkId === n.id)),
      );
      for (const n of unused) await this.dropNetwork(n);
      await this.store.save(this.state);
      return unused.map((n) => n.name);
    });
  }

  private async dropNetwork(n: StoredNetwork): Promise<void> {
    this.state.networks = this.state.networks.filter((x) => x.id !== n.id);
    await this.dns.unlisten(n.id);
    this.refreshDns();
    await this.syncTable();
    // Containers' veths released meanwhile are gone before their bridge is.
    await this.host.settle();
    if (n.driver === "bridge") await this.host.deleteLink(n.device);
    if (n.vlanDevice) await this.host.deleteLink(n.vlanDevice);
  }

  createNetns(containerId: string): Promise<string> {
    const path = this.netnsPath(containerId);
    let made: Promise<void> = Promise.resolve();
    const queued = this.serial(async () => {
      made = this.host.createNetns(path);
      made.catch(() => undefined); // the caller sees the failure below
      // In order on the helper's pipe: the set-up queued next goes out at once, one round trip for both.
      if (!this.host.ordered) await made;
    });
    return queued.then(() => made).then(() => path);
  }

  removeNetns(containerId: string): Promise<void> {
    return this.serial(() => this.host.removeNetns(this.netnsPath(containerId)));
  }

  setUpContainer(req: ContainerNetworkRequest): Promise<ContainerNetworkResult> {
    return this.serial(async () => {
      const nets = req.endpoints.map((e) => this.endpointNetwork(e));
      const prior = this.container(req.containerId);
      if (prior !== undefined && sameSetUp(prior, req, nets.map((n) => n.id)) && (await this.wiring.intact(prior))) return this.reuse(prior, req);
      if (prior !== undefined) await this.tearDown(req.containerId);
      const hostsEntries = req.links.map((l) => linkHostsEntry(this.state.containers, l));
      const c: ContainerNetState = {
        containerId: req.containerId, containerName: req.containerName, netnsPath: req.netnsPath, endpoints: [], ports: [], links: req.links,
        portSpecs: req.ports,
      };
      const wanted = keepAddresses(req.endpoints, nets.map((n) => n.id), prior);
      const plans = this.wiring.plan(c, wanted.map((e, i) => ({ req: e, net: nets[i]! })), this.state.containers);
      const firstBridge = plans.find((p) => p.net.driver === "bridge");
      if (req.ports.length > 0 && firstBridge === undefined) {
        throw new ProviderError("Invalid", "INFRA_NET_PORTS_NEED_BRIDGE", "published ports need the container on a bridge network", {
          hint: "attach the container to a bridge network, or drop the published ports",
        });
      }
      const ports = firstBridge ? await this.wiring.planPorts(req.ports, firstBridge.endpoint.ipv4Address, this.allPorts()) : [];
      await this.wiring.apply(c, plans);
      try {
        if (ports.length > 0) await this.nft.apply(renderPortElements(this.table, toNat(ports), "add"));
      } catch (e) {
        await this.wiring.remove(c, c.endpoints).catch(() => undefined);
        throw e;
      }
      faultPoint("network-setup:links", req.containerName);
      c.ports = ports;
      this.state.containers.push(c);
      await this.store.save(this.state);
      this.refreshDns();
      return { endpoints: c.endpoints.map(publicEndpoint), ports, nameservers: nameserversFor(c, this.dnsNetworks()), hostsEntries };
    });
  }

  connect(containerId: string, endpoint: EndpointRequest): Promise<Endpoint> {
    return this.serial(async () => {
      const c = this.mustContainer(containerId);
      const [plan] = this.wiring.plan(c, [{ req: endpoint, net: this.endpointNetwork(endpoint) }], this.state.containers);
      if (plan === undefined) throw new ProviderError("Internal", "INFRA_NET_INTERNAL", "no endpoint planned", {});
      await this.wiring.apply(c, [plan]);
      await this.store.save(this.state);
      this.refreshDns();
      return publicEndpoint(plan.endpoint);
    });
  }

  disconnect(containerId: string, network: string): Promise<void> {
    return this.serial(async () => {
      const c = this.mustContainer(containerId);
      const n = this.mustFind(network);
      const ep = c.endpoints.find((e) => e.networkId === n.id);
      if (ep === undefined) {
        throw new ProviderError("NotFound", "INFRA_NET_NOT_CONNECTED", `container "${c.containerName}" is not connected to network "${n.name}"`, {
          hint: "see the container's networks with `infra inspect`",
        });
      }
      const gone = c.ports.filter((p) => p.containerIp === ep.ipv4Address);
      if (gone.length > 0) await this.nft.apply(renderPortElements(this.table, toNat(gone), "delete"));
      c.ports = c.ports.filter((p) => p.containerIp !== ep.ipv4Address);
      await this.wiring.remove(c, [ep]);
      await this.store.save(this.state);
      this.refreshDns();
    });
  }

  tearDownContainer(containerId: string): Promise<void> {
    return this.serial(() => this.tearDown(containerId));
  }

  private async tearDown(containerId: string): Promise<void> {
    const c = this.container(containerId);
    if (c === undefined) return;
    if (c.ports.length > 0) await this.nft.applyDelete(renderPortElements(this.table, toNat(c.ports), "delete"));
    await this.wiring.remove(c, [...c.endpoints]);
    this.state.containers = this.state.containers.filter((x) => x.containerId !== containerId);
    await this.store.save(this.state);
    this.refreshDns();
  }

  containerState(containerId: string): ContainerNetState | undefined {
    const c = this.container(containerId);
    return c === undefined ? undefined : structuredClone(c);
  }

  endpointsOf(nameOrId: string): Array<{ containerId: string; containerName: string; endpoint: Endpoint }> {
    const n = this.mustFind(nameOrId);
    return this.state.containers.flatMap((c) =>
      c.endpoints.filter((e) => e.networkId === n.id).map((e) => ({ containerId: c.containerId, containerName: c.containerName, endpoint: publicEndpoint(e) })),
    );
  }

  close(): Promise<void> {
    return this.serial(async () => {
      await this.dns.close();
      await this.host.settle().catch(() => undefined);
      this.host.close();
    });
  }

  async hostWarnings(): Promise<Diagnostic[]> {
    const devices = this.bridges().map((b) => b.device);
    return (await this.forward.blocking(devices)).map((d) => forwardDropWarning(d, devices));
  }

  reconcile(knownContainerIds: Iterable<string>): Promise<string[]> {
    return this.serial(async () => {
      const known = new Set(knownContainerIds);
      const gone = this.state.containers.filter((c) => !known.has(c.containerId)).map((c) => c.containerId);
      for (const id of gone) await this.tearDown(id);
      // Pinned namespaces are named by container id; one nobody knows is a leftover of a crash.
      const pinned = await readdir(join(this.opts.run, "netns")).catch(() => [] as string[]);
      const stray = pinned.filter((id) => !known.has(id));
      for (const id of stray) await this.host.removeNetns(this.netnsPath(id));
      for (const id of gone) logRepair("network", `released the addresses, ports and names of container ${id.slice(0, 12)}: it no longer exists`);
      for (const id of stray) logRepair("network", `removed the pinned namespace of container ${id.slice(0, 12)}: it no longer exists`);
      await this.host.settle();
      await removeStrayVeths(this.state, this.host, [...known, ...gone, ...stray]);
      return [...new Set([...gone, ...stray])];
    });
  }

  uninstall(): Promise<void> {
    return this.serial(async () => {
      for (const c of [...this.state.containers]) await this.tearDown(c.containerId);
      await this.dns.close();
      const nets = this.state.networks;
      this.state.networks = [];
      await this.syncTable();
      await this.host.settle();
      for (const n of nets) {
        if (n.driver === "bridge") await this.host.deleteLink(n.device);
        if (n.vlanDevice) await this.host.deleteLink(n.vlanDevice);
      }
      await this.store.save(this.state);
    });
  }

  // ---- helpers ----

  /** Renders the whole table, or deletes it when no bridge network is left. */
  private async syncTable(): Promise<void> {
    const bridges = this.bridges();
    if (bridges.length === 0) {
      await this.forward.sync([]);
      if (await this.nft.exists()) await this.nft.deleteTable();
      return;
    }
    await this.nft.apply(
      renderRuleset({
        table: this.table,
        bridges: bridges.map((b) => ({ device: b.device, subnet: b.subnet, internal: b.internal })),
        ports: toNat(this.allPorts()),
      }),
    );
    // Where another table's forward policy drops (Docker), add our accept rules there; what cannot be added shows in hostWarnings.
    await this.forward.sync(bridges.map((b) => b.device));
  }

  /** A repeated set-up with nothing changed: the recorded endpoints and ports, with new aliases and name. */
  private async reuse(c: ContainerNetState, req: ContainerNetworkRequest): Promise<ContainerNetworkResult> {
    c.containerName = req.containerName;
    req.endpoints.forEach((e, i) => {
      const ep = c.endpoints[i];
      if (ep !== undefined) ep.aliases = [...new Set(e.aliases)];
    });
    await this.store.save(this.state);
    this.refreshDns();
    const hostsEntries = req.links.map((l) => linkHostsEntry(this.state.containers, l));
    return { endpoints: c.endpoints.map(publicEndpoint), ports: c.ports, nameservers: nameserversFor(c, this.dnsNetworks()), hostsEntries };
  }

  private bridges(): StoredNetwork[] {
    return this.state.networks.filter((n) => n.driver === "bridge");
  }

  /** User-defined bridge networks get the embedded DNS; the default bridge does not (as in Docker). */
  private dnsNetworks(): StoredNetwork[] {
    return this.bridges().filter((n) => n.name !== "bridge");
  }

  private subnets(): string[] {
    return this.state.networks.map((n) => n.subnet).filter((s) => s !== "");
  }

  private allPorts(): PublishedPort[] {
    return this.state.containers.flatMap((c) => c.ports);
  }

  /** Recomputes every asker's view: a container's names reach all networks it shares with others. */
  private refreshDns(): void {
    this.dns.setViews(dnsViewsOf(this.state, this.dnsNetworks()));
  }

  private endpointNetwork(e: EndpointRequest): StoredNetwork {
    return attachableNetwork(this.mustFind(e.network === "default" ? "bridge" : e.network), e);
  }

  private find(nameOrId: string): StoredNetwork | undefined {
    return findNetwork(this.state.networks, nameOrId);
  }

  private mustFind(nameOrId: string): StoredNetwork {
    const n = this.find(nameOrId);
    if (n === undefined) {
      throw new ProviderError("NotFound", "INFRA_NET_NOT_FOUND", `network "${nameOrId}" does not exist`, { hint: "list networks with `infra network ls`" });
    }
    return n;
  }

  private container(id: string): ContainerNetState | undefined {
    return this.state.containers.find((c) => c.containerId === id);
  }

  private mustContainer(id: string): ContainerNetState {
    const c = this.container(id);
    if (c === undefined) {
      throw new ProviderError("NotFound", "INFRA_NET_CONTAINER_UNKNOWN", `container ${id} has no network set up`, {
        hint: "start the container first",
      });
    }
    return c;
  }
}
