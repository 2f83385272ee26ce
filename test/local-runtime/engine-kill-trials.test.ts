/**
 * kill -9 of the engine at a random moment of an apply-like sequence (a network, a volume, three
 * containers with published ports on it), then a restart: the host must match the records
 * (nothing orphaned, no record in a transition, running containers whole), the sequence run
 * again as a provider would (existing names kept) must converge, and removing everything through
 * the API must leave nothing of the trial on the host. Seeded: INFRA_KILL_SEED repeats a run,
 * INFRA_KILL_TRIALS asks for more trials (CI: 6). Root only.
 */
import t from "tap";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { spawnedEngine } from "./spawned-engine.js";
import { hostLinks, leftovers, nftTable } from "./engine-leftovers.js";
import { waitFor } from "./harness.js";
import type { EngineClient } from "../../src/providers/local-runtime/engine/engine-client.js";
import type { ContainerRecord } from "../../src/providers/local-runtime/container/container-record.js";
import type { NetworkRecord } from "../../src/providers/local-runtime/network/network-types.js";
import { findMonitors, mountsUnder } from "../../src/providers/local-runtime/container/host-leftovers.js";
import { runCommand } from "../../src/providers/local-runtime/host/run-command.js";

if (process.getuid?.() !== 0) {
  t.plan(0, "needs root");
  process.exit(0);
}

const seed = Number(process.env.INFRA_KILL_SEED ?? randomBytes(4).readUInt32LE(0));
const trials = Number(process.env.INFRA_KILL_TRIALS ?? 6);
const prefix = `kt${randomBytes(3).toString("hex")}`;
const table = `infra_${prefix}`;

/** mulberry32: small, seedable, good enough to spread kill moments. */
function prng(s: number): () => number {
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let x = s;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return false;
  }
}

/** Ignores "exists" (and "already running") the way the provider adopts what is there. */
async function adopt<T>(p: Promise<T>): Promise<T | undefined> {
  return p.catch((e: { category?: string; code?: string }) => {
    if (e.category === "AlreadyExists" || e.code === "INFRA_RUNTIME_CONTAINER_STATE") return undefined;
    throw e;
  });
}

/** The apply: in order, each step waiting for the one before (as the executor does along dependencies). */
async function sequence(c: EngineClient, k: number, idempotent: boolean): Promise<void> {
  const step = <T>(p: Promise<T>) => (idempotent ? adopt(p) : p);
  await step(c.call("POST", "/networks", { name: `net${k}`, driver: "bridge" }));
  await step(c.call("POST", "/volumes", { name: `vol${k}` }));
  for (let i = 0; i < 3; i++) {
    const name = `c${k}-${i}`;
    await step(c.call("POST", "/containers", {
      name, image: "busybox", command: ["sleep", "300"], stopTimeout: 1, networks: [{ network: `net${k}` }],
      ports: [{ containerPort: 80, protocol: "tcp" }], mounts: [{ type: "volume", source: `vol${k}`, target: "/data" }],
    }));
    await step(c.call("POST", `/containers/${name}/start`));
  }
}

/** Removes what trial k made, through the API; every call must succeed. */
async function removeTrial(c: EngineClient, k: number): Promise<void> {
  for (const r of await c.call<ContainerRecord[]>("GET", "/containers?all=1")) if (r.name.startsWith(`c${k}-`)) await c.call("DELETE", `/containers/${r.id}?force=1`);
  if ((await c.call<NetworkRecord[]>("GET", "/networks")).some((n) => n.name === `net${k}`)) await c.call("DELETE", `/networks/net${k}`);
  if ((await c.call<Array<{ name: string }>>("GET", "/volumes")).some((v) => v.name === `vol${k}`)) await c.call("DELETE", `/volumes/vol${k}`);
}

t.test(`kill -9 of the engine at random moments (seed ${seed}, ${trials} trials)`, async (t) => {
  t.teardown(async () => {
    for (const l of await hostLinks()) if (l.ifname.startsWith(prefix)) await runCommand("ip", ["link", "del", l.ifname]);
    await runCommand("nft", ["delete", "table", "inet", table]);
  });
  process.env.INFRA_NET_PREFIX = prefix;
  process.env.INFRA_NET_POOL = `10.${200 + (seed % 40)}.${((seed >>> 8) % 16) * 16}.0/20`;
  const e = await spawnedEngine(t, "infra-kill-");
  let c = await e.ensure();
  const rnd = prng(seed);
  t.comment(`INFRA_KILL_SEED=${seed} repeats this run`);

  // How long the sequence takes here and now, warm (the first run pays for first uses): the kills land anywhere inside it.
  let span = 0;
  for (const k of [0, 0]) {
    const t0 = Date.now();
    await sequence(c, k, false);
    span = Date.now() - t0;
    await removeTrial(c, k);
  }
  t.comment(`sequence takes ${span} ms`);
  let logSeen = (await readFile(join(e.layout.run, "engine.log"), "utf8").catch(() => "")).length;

  for (let k = 1; k <= trials; k++) {
    const pid = Number(await readFile(e.layout.enginePidFile, "utf8"));
    const delay = Math.floor(rnd() * span);
    const applying = sequence(c, k, false).then(() => "finished", (err: Error) => `failed: ${err.message}`);
    await new Promise((r) => setTimeout(r, delay));
    process.kill(pid, "SIGKILL");
    const outcome = await applying;
    await waitFor(() => !alive(pid), 5000);
    c = await e.ensure();
    await waitFor(async () => Number(await readFile(e.layout.enginePidFile, "utf8").catch(() => "0")) > 0, 5000);
    const what = `trial ${k}: killed after ${delay} ms (${outcome})`;
    const log = await readFile(join(e.layout.run, "engine.log"), "utf8").catch(() => "");
    t.comment(`${what}; repairs: ${log.slice(logSeen).split("\n").filter((l) => l.includes("repair")).join(" | ") || "none"}`);
    logSeen = log.length;

    t.same(await leftovers(e.layout, c, prefix), [], `${what}: the host matches the records`);
    const mine = (await c.call<ContainerRecord[]>("GET", "/containers?all=1")).filter((r) => r.name.startsWith(`c${k}-`));
    for (const r of mine) {
      if (r.state !== "running") continue;
      const st = await runCommand("runc", ["--root", e.layout.runcRoot, "state", r.id]);
      const whole = st.stdout.includes('"status": "running"') && (await findMonitors(e.layout)).some((m) => m.id === r.id)
        && (r.network?.endpoints ?? []).every((ep) => ep.hostIfname !== undefined) && (r.network?.ports.length ?? 0) === 1;
      t.ok(whole, `${what}: ${r.name} runs whole (runc, monitor, endpoint, port)`, { state: st.stdout, record: r });
    }

    // The next apply converges: everything exists and runs.
    await sequence(c, k, true);
    const after = (await c.call<ContainerRecord[]>("GET", "/containers?all=1")).filter((r) => r.name.startsWith(`c${k}-`));
    t.same(after.map((r) => r.state).sort(), ["running", "running", "running"], `${what}: the sequence run again converges`);
    const devices = (await c.call<Array<NetworkRecord & { device: string }>>("GET", "/networks")).filter((n) => n.name === `net${k}`).map((n) => n.device);
    const ips = after.flatMap((r) => r.network?.endpoints.map((ep) => ep.ipv4Address) ?? []);

    await removeTrial(c, k);
    t.same(await leftovers(e.layout, c, prefix), [], `${what}: after removal the host matches the records`);
    const links = (await hostLinks()).map((l) => l.ifname);
    const rules = await nftTable(table);
    const gone = devices.every((d) => !links.includes(d) && !rules.includes(d)) && ips.every((ip) => !rules.includes(`${ip} `));
    t.ok(gone, `${what}: no link or rule of the trial's network or containers remains`, { devices, ips });
    const ids = new Set(after.map((r) => r.id));
    const mounts = mountsUnder(await readFile("/proc/self/mountinfo", "utf8"), e.layout.containersDir).filter((m) => ids.has(m.id));
    const monitors = (await findMonitors(e.layout)).filter((m) => m.id !== undefined && ids.has(m.id));
    t.same([mounts, monitors], [[], []], `${what}: no mount or monitor of the trial remains`);
  }
});
