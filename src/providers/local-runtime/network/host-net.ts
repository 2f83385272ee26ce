/**
 * The host layer for links, addresses and namespaces: thin wrappers over infra-host (a container's
 * namespace and links, over rtnetlink, when it is built), else iproute2 (batched with
 * `ip -batch -`, JSON when reading) and util-linux; and /proc/sys. No decisions here.
 */
import { existsSync } from "node:fs";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { ProviderError } from "../../contract.js";
import type { HostHelper } from "../host/host-helper.js";
import { type ToolRunner, runTool } from "./run-tool.js";

/** Linux limits interface names to 15 bytes (IFNAMSIZ - 1). */
export const IFNAME_MAX = 15;

export interface AddressSpec {
  ifname: string;
  macAddress: string;
  ipv4Address: string;
  prefixLength: number;
  /** Add the default route through this gateway (the container's first routed network). */
  defaultGateway?: string;
  mtu?: number;
}

export class HostNet {
  /**
   * `helper`: infra-host for the per-container operations; without it they run `ip`. `ownsHelper`:
   * close ends it (false when the engine shares it with the container manager).
   */
  constructor(
    private readonly run: ToolRunner = runTool,
    private readonly helper?: HostHelper,
    private readonly ownsHelper = true,
  ) {}

  /** Operations run in the order they are asked for (one helper, one pipe): the next may go before this one is answered. */
  get ordered(): boolean {
    return this.helper !== undefined;
  }

  /** Starts the helper ahead of the first container. */
  warmUp(): void {
    this.helper?.warmUp();
  }

  /** Waits for the links `releaseLink` is still deleting (before a bridge goes, or a check). */
  async settle(): Promise<void> {
    await this.helper?.settle();
  }

  close(): void {
    if (this.ownsHelper) this.helper?.close();
  }

  /** Host routes (all tables) and address prefixes, as CIDRs, for overlap checks. */
  async hostRanges(): Promise<string[]> {
    const routes = JSON.parse((await this.run("ip", ["-j", "-4", "route", "show", "table", "all"])).stdout) as Array<{ dst?: string }>;
    const addrs = JSON.parse((await this.run("ip", ["-j", "-4", "addr", "show"])).stdout) as Array<{
      addr_info?: Array<{ family?: string; local?: string; prefixlen?: number }>;
    }>;
    const out = new Set<string>();
    for (const r of routes) {
      if (r.dst === undefined || r.dst === "default") continue;
      out.add(r.dst.includes("/") ? r.dst : `${r.dst}/32`);
    }
    for (const l of addrs) for (const a of l.addr_info ?? []) if (a.local !== undefined && a.family === "inet") out.add(`${a.local}/${a.prefixlen ?? 32}`);
    return [...out];
  }

  /** Links of the host's namespace of one kind (bridge, veth), with their master: asked of rtnetlink (`ip -j -d`), not sysfs. */
  async listLinks(kind: string): Promise<Array<{ name: string; master?: string }>> {
    const { stdout } = await this.run("ip", ["-j", "link", "show", "type", kind]);
    const links = JSON.parse(stdout || "[]") as Array<{ ifname: string; master?: string }>;
    return links.map((l) => (l.master !== undefined ? { name: l.ifname, master: l.master } : { name: l.ifname }));
  }

  linkExists(name: string): boolean {
    return existsSync(`/sys/class/net/${name}`);
  }

  /** Creates (or repairs after a restart) a bridge with its gateway address, up. */
  async ensureBridge(name: string, gatewayCidr: string, mtu?: number, mac?: string): Promise<void> {
    const cmds: string[] = [];
    if (!this.linkExists(name)) cmds.push(`link add name ${name}${mtu ? ` mtu ${mtu}` : ""} type bridge`);
    // A bridge without a set address takes its lowest port's: when that container leaves, the
    // gateway's MAC changes and the others' ARP entries point nowhere for seconds.
    if (mac !== undefined) cmds.push(`link set ${name} address ${mac}`);
    cmds.push(`addr replace ${gatewayCidr} dev ${name}`, `link set ${name} up`);
    await this.batch(cmds);
    // DNAT of 127.0.0.1 to a container needs loopback-sourced packets to be routable out of the bridge.
    await this.sysctl(`net/ipv4/conf/${name}/route_localnet`, "1");
  }

  async deleteLink(name: string): Promise<void> {
    if (!this.linkExists(name)) return;
    if (this.helper) await this.helper.request("link-del", { name });
    else await this.run("ip", ["link", "del", "dev", name]);
  }

  /**
   * A container's host-side veth: off its bridge and down at once, deleted meanwhile (the kernel
   * takes ~20 ms to tear a veth down; the engine need not wait). A new link of the same name
   * waits for it. Without the helper: deleted now.
   */
  async releaseLink(name: string): Promise<void> {
    if (this.helper) await this.helper.request("link-release", { name });
    else await this.deleteLink(name);
  }

  async enableForwarding(): Promise<void> {
    await this.sysctl("net/ipv4/ip_forward", "1");
  }

  async sysctl(key: string, value: string): Promise<void> {
    await writeFile(`/proc/sys/${key}`, value);
  }

  /** A VLAN sub-interface of `parent` (macvlan networks with a VLAN id); returns its name. */
  async ensureVlan(parent: string, vlan: number): Promise<string> {
    const name = vlanName(parent, vlan);
    if (!this.linkExists(name)) await this.batch([`link add link ${parent} name ${name} type vlan id ${vlan}`, `link set ${name} up`]);
    return name;
  }

  /**
   * Creates a network namespace pinned as a bind-mounted file, with loopback up. An existing
   * pinned namespace is kept as it is: a restarted donor finds its namespace (and its joiners
   * keep theirs).
   */
  async createNetns(path: string): Promise<void> {
    if (this.helper) {
      await this.helper.request("netns-add", { path });
      return;
    }
    await mkdir(dirname(path), { recursive: true });
    if (existsSync(path) && (await isMountPoint(path))) return;
    if (existsSync(path)) await rm(path, { force: true });
    await writeFile(path, "");
    await this.run("unshare", [`--net=${path}`, "ip", "link", "set", "lo", "up"]);
  }

  async removeNetns(path: string): Promise<void> {
    if (this.helper) {
      await this.helper.request("netns-del", { path });
      return;
    }
    if (!existsSync(path)) return;
    try {
      await this.run("umount", [path]);
    } catch {
      // Not mounted (a half-made file): removing it is all that is left to do.
    }
    await rm(path, { force: true });
  }

  /** A veth pair: host end on the bridge, the other end named `ifname` inside the namespace. */
  async addVeth(netnsPath: string, bridge: string, hostIf: string, spec: AddressSpec): Promise<void> {
    if (this.helper) {
      await this.helper.request("veth-add", { netns: netnsPath, bridge, host: hostIf, ...endpointArgs(spec) });
      return;
    }
    const mtu = spec.mtu ? ` mtu ${spec.mtu}` : "";
    await this.batch([
      `link add name ${hostIf}${mtu} type veth peer name ${spec.ifname} address ${spec.macAddress} netns ${netnsPath}`,
      `link set ${hostIf} master ${bridge}`,
      // br_netfilter DNATs some frames back to the port they came from (hairpin to a published port).
      `link set dev ${hostIf} type bridge_slave hairpin on`,
      `link set ${hostIf} up`,
    ]);
    await this.configureInNetns(netnsPath, spec);
  }

  /** A macvlan link on `parent`, created straight inside the namespace. */
  async addMacvlan(netnsPath: string, parent: string, mode: string, spec: AddressSpec): Promise<void> {
    if (this.helper) {
      await this.helper.request("macvlan-add", { netns: netnsPath, parent, mode, ...endpointArgs(spec) });
      return;
    }
    await this.batch([`link add link ${parent} name ${spec.ifname} address ${spec.macAddress} netns ${netnsPath} type macvlan mode ${mode}`]);
    await this.configureInNetns(netnsPath, spec);
  }

  async deleteInNetns(netnsPath: string, ifname: string): Promise<void> {
    if (this.helper) {
      await this.helper.request("link-del", { name: ifname, netns: netnsPath });
      return;
    }
    await this.run("nsenter", [`--net=${netnsPath}`, "ip", "link", "del", "dev", ifname]);
  }

  /** Interface names that exist inside a namespace. */
  async linksInNetns(netnsPath: string): Promise<string[]> {
    if (this.helper) return this.helper.request("links", { netns: netnsPath });
    const { stdout } = await this.run("nsenter", [`--net=${netnsPath}`, "ip", "-j", "link", "show"]);
    return (JSON.parse(stdout) as Array<{ ifname: string }>).map((l) => l.ifname);
  }

  private async configureInNetns(netnsPath: string, spec: AddressSpec): Promise<void> {
    const cmds = [`addr add ${spec.ipv4Address}/${spec.prefixLength} dev ${spec.ifname}`, `link set ${spec.ifname} up`];
    if (spec.defaultGateway !== undefined) cmds.push(`route replace default via ${spec.defaultGateway} dev ${spec.ifname}`);
    await this.run("nsenter", [`--net=${netnsPath}`, "ip", "-batch", "-"], cmds.join("\n") + "\n");
  }

  private async batch(cmds: string[]): Promise<void> {
    await this.run("ip", ["-batch", "-"], cmds.join("\n") + "\n");
  }
}

/** The VLAN sub-interface's name; throws when Linux would refuse it. */
export function vlanName(parent: string, vlan: number): string {
  const name = `${parent}.${vlan}`;
  if (name.length > IFNAME_MAX) {
    throw new ProviderError("Invalid", "INFRA_NET_IFNAME_TOO_LONG", `VLAN interface name ${name} is longer than ${IFNAME_MAX} characters`, {
      hint: "use a parent with a shorter name",
    });
  }
  return name;
}

/** An endpoint's options for infra-host's veth-add and macvlan-add. */
function endpointArgs(spec: AddressSpec): Record<string, string | number | undefined> {
  return {
    ifname: spec.ifname,
    mac: spec.macAddress,
    addr: `${spec.ipv4Address}/${spec.prefixLength}`,
    gw: spec.defaultGateway,
    mtu: spec.mtu,
  };
}

/** Whether `path` is a mount point (a pinned namespace file is a bind mount of nsfs). */
export async function isMountPoint(path: string): Promise<boolean> {
  const info = await readFile("/proc/self/mountinfo", "utf8");
  const escaped = path.replace(/[ \t\n\\]/g, (c) => `\\${c.charCodeAt(0).toString(8).padStart(3, "0")}`);
  return info.split("\n").some((line) => line.split(" ")[4] === escaped);
}
