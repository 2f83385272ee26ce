/**
 * What an engine left on the host that no record accounts for, asked of the kernel and runc:
 * links of its prefix (rtnetlink, via `ip -j`), veths on its bridges, nftables elements, mounts
 * under its root, runc state, cgroups, monitor processes. Empty when the host matches the records.
 */
import { readFile } from "node:fs/promises";
import { basename } from "node:path";
import type { EngineClient } from "../../src/providers/local-runtime/engine/engine-client.js";
import type { ContainerRecord } from "../../src/providers/local-runtime/container/container-record.js";
import type { NetworkRecord } from "../../src/providers/local-runtime/network/network-types.js";
import type { Layout } from "../../src/providers/local-runtime/layout.js";
import { cgroupParents, containerCgroups, findMonitors, mountsUnder } from "../../src/providers/local-runtime/container/host-leftovers.js";
import { runCommand } from "../../src/providers/local-runtime/host/run-command.js";

export interface HostLink { ifname: string; master?: string; linkinfo?: { info_kind?: string } }

export async function hostLinks(): Promise<HostLink[]> {
  return JSON.parse((await runCommand("ip", ["-j", "-d", "link", "show"])).stdout || "[]") as HostLink[];
}

export async function nftTable(table: string): Promise<string> {
  return (await runCommand("nft", ["list", "table", "inet", table])).stdout;
}

/** Descriptions of everything orphaned; `records` from the engine (all containers, networks). */
export async function leftovers(layout: Layout, c: EngineClient, prefix: string): Promise<string[]> {
  const out: string[] = [];
  const containers = await c.call<ContainerRecord[]>("GET", "/containers?all=1");
  const networks = await c.call<Array<NetworkRecord & { device: string }>>("GET", "/networks");
  const live = new Set(containers.filter((r) => r.state === "running" || r.state === "paused").map((r) => r.id));
  for (const r of containers) if (r.transition !== undefined) out.push(`container ${r.name} still in transition ${r.transition}`);
  const devices = new Set(networks.filter((n) => n.driver === "bridge").map((n) => n.device));
  const veths = new Set(containers.flatMap((r) => (r.state === "running" || r.state === "paused") ? (r.network?.endpoints ?? []) : []).map((e) => e.hostIfname));
  for (const l of await hostLinks()) {
    if (l.ifname.startsWith(prefix) && !devices.has(l.ifname)) out.push(`link ${l.ifname} has no network record`);
    if (l.linkinfo?.info_kind === "veth" && l.master !== undefined && devices.has(l.master) && !veths.has(l.ifname)) out.push(`veth ${l.ifname} on ${l.master} has no endpoint of a running container`);
  }
  for (const m of mountsUnder(await readFile("/proc/self/mountinfo", "utf8"), layout.containersDir)) if (!live.has(m.id)) out.push(`mount ${m.path} without a running container`);
  const runc = (await runCommand("runc", ["--root", layout.runcRoot, "list", "-q"])).stdout.split("\n").filter(Boolean);
  for (const id of runc) if (!live.has(id)) out.push(`runc state ${id.slice(0, 12)} without a running container`);
  const parents = cgroupParents(basename(layout.cgroupParent), await readFile("/proc/self/cgroup", "utf8"), containers);
  for (const cg of await containerCgroups(parents)) if (!live.has(cg.id)) out.push(`cgroup ${cg.dir} without a running container`);
  const engine = Number(await readFile(layout.enginePidFile, "utf8").catch(() => "0"));
  for (const m of await findMonitors(layout)) {
    const stat = await readFile(`/proc/${m.pid}/stat`, "utf8").catch(() => "");
    if (stat === "" || /^\d+ \(.*\) Z/.test(stat)) continue;
    // The running engine's own spare: started by its infra-host.
    if (m.id === undefined && (await parentOf(await parentOf(m.pid))) === engine) continue;
    if (m.id === undefined || !live.has(m.id)) out.push(`monitor pid ${m.pid} of ${m.id?.slice(0, 12) ?? "a spare"} without a running container`);
  }
  return out;
}

async function parentOf(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => "");
  return Number(/\) \S+ (\d+)/.exec(stat)?.[1] ?? 0);
}
