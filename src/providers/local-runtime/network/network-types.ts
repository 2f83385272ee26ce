/**
 * The seam between the container lifecycle and networking. The container code creates a
 * container's network namespace through this interface before runc starts, and asks it to
 * attach the namespace to networks; the networking code owns bridges, veths, IPAM, nftables
 * and DNS.
 */
import type { NetworkSpec, PortSpec } from "../../../graph/specs.js";

export interface NetworkRecord {
  id: string;
  name: string;
  driver: "bridge" | "macvlan" | "host" | "null";
  subnet: string;
  gateway: string;
  ipRange?: string;
  internal: boolean;
  labels: Record<string, string>;
  options: Record<string, string>;
  /** Linux bridge name (bridge driver) or parent interface (macvlan). */
  device: string;
  createdAt: string;
}

export interface EndpointRequest {
  network: string;
  aliases: string[];
  ipv4Address?: string;
  macAddress?: string;
}

export interface Endpoint {
  network: string;
  /** Interface name inside the container (eth0, eth1 ...). */
  ifname: string;
  /** Host-side veth name (bridge driver). */
  hostIfname?: string;
  ipv4Address: string;
  prefixLength: number;
  gateway: string;
  macAddress: string;
  aliases: string[];
}

export interface PublishedPort {
  protocol: "tcp" | "udp";
  hostIp: string;
  hostPort: number;
  containerPort: number;
  /** Container address the port forwards to. */
  containerIp: string;
}

/** What the container code hands the networking code when it sets a container up. */
export interface ContainerNetworkRequest {
  containerId: string;
  containerName: string;
  /** Pinned namespace file (bind mount of /proc/PID/ns/net or made by `ip netns add`). */
  netnsPath: string;
  endpoints: EndpointRequest[];
  ports: PortSpec[];
  /** Legacy links become /etc/hosts entries; returned so the container code can write the file. */
  links: Array<{ container: string; alias: string }>;
}

export interface ContainerNetworkResult {
  endpoints: Endpoint[];
  ports: PublishedPort[];
  /** Nameserver the container's resolv.conf should list (the embedded DNS on user networks). */
  nameservers: string[];
  /** Extra /etc/hosts lines (links on the default bridge). */
  hostsEntries: Array<{ ip: string; names: string[] }>;
}

export interface NetworkManager {
  /** Creates default networks (bridge, host, none) and restores rules and DNS after a restart. */
  init(): Promise<void>;
  createNetwork(spec: NetworkSpec): Promise<NetworkRecord>;
  inspectNetwork(nameOrId: string): Promise<NetworkRecord | undefined>;
  listNetworks(): Promise<NetworkRecord[]>;
  removeNetwork(nameOrId: string): Promise<void>;
  /** Creates and pins a new network namespace for a container; returns its path. */
  createNetns(containerId: string): Promise<string>;
  /** Where createNetns pins it, known at once: a set-up can then be asked for before the namespace is answered for. */
  netnsPath?(containerId: string): string;
  removeNetns(containerId: string): Promise<void>;
  /** Attaches endpoints, publishes ports and registers DNS names. */
  setUpContainer(req: ContainerNetworkRequest): Promise<ContainerNetworkResult>;
  connect(containerId: string, endpoint: EndpointRequest): Promise<Endpoint>;
  disconnect(containerId: string, network: string): Promise<void>;
  /** Releases addresses, rules and names; leaves the namespace file for `removeNetns`. */
  tearDownContainer(containerId: string): Promise<void>;
  close(): Promise<void>;
}
