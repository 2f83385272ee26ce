/**
 * Issue 4 benchmarks, as root: `npx tsx bench/network-bench.ts`.
 * - DNS: p50/p99 answer latency for a container name, queried from inside a container's
 *   namespace (a separate node process) against the embedded server on the gateway.
 * - Publishing a 1,000-port range: time of setUpContainer with the range (median of 5), and the
 *   number of processes it adds (0: kernel DNAT, no proxies).
 * - TCP throughput to a container: via a port published on the host's loopback vs straight to
 *   the container's address (median of 3 runs of 512 MiB each).
 * Everything it creates (bridge, namespaces, table) is removed at the end.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createNetworkManager } from "../src/providers/local-runtime/network/network-manager.js";

const id = randomBytes(3).toString("hex");
const dir = mkdtempSync(join(tmpdir(), `infra-netbench-${id}-`));
const mgr = await createNetworkManager({
  root: join(dir, "root"), run: join(dir, "run"), tablePrefix: `infra_b${id}`, bridgePrefix: `b${id}`, pool: ["10.241.0.0/16", "10.242.0.0/16"], defaultBridge: false,
});
const procs: ChildProcess[] = [];
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))]!;
const run = (file: string, args: string[]) =>
  new Promise<string>((res, rej) => execFile(file, args, { cwd: process.cwd(), maxBuffer: 64 << 20 }, (e, out, err) => (e ? rej(new Error(`${e.message}\n${err}`)) : res(out))));
/** Our own live child processes: a userland proxy per port would show up here. */
const countProcs = () =>
  readdirSync(`/proc/${process.pid}/task`).reduce((n, t) => {
    const kids = readFileSync(`/proc/${process.pid}/task/${t}/children`, "utf8").trim();
    return n + (kids === "" ? 0 : kids.split(/\s+/).length);
  }, 0);

const DNS_CLIENT = `
const dgram = require("dgram"), pkt = require("dns-packet");
const [server, name, n] = process.argv.slice(1);
const s = dgram.createSocket("udp4"); const lat = []; let i = 0, t0 = 0;
const ask = () => { t0 = process.hrtime.bigint(); s.send(pkt.encode({ type: "query", id: i & 0xffff, flags: 256, questions: [{ type: "A", name }] }), 53, server); };
s.on("message", (m) => { lat.push(Number(process.hrtime.bigint() - t0) / 1e6);
  if (pkt.decode(m).answers.length !== 1) { console.error("bad answer"); process.exit(1); }
  if (++i < Number(n)) ask(); else { console.log(JSON.stringify(lat)); s.close(); } });
ask();`;

const SINK = `require("net").createServer((c) => c.resume()).listen(5001, () => console.log("ready"));`;

async function throughput(host: string, port: number, bytes: number): Promise<number> {
  const chunk = Buffer.alloc(1 << 20);
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, host);
    let sent = 0;
    const t0 = performance.now();
    const pump = () => {
      while (sent < bytes) {
        sent += chunk.length;
        if (!sock.write(chunk)) return void sock.once("drain", pump);
      }
      sock.end();
    };
    sock.on("connect", pump);
    sock.on("close", () => resolve(bytes / (1 << 20) / ((performance.now() - t0) / 1000)));
    sock.on("error", reject);
  });
}

try {
  await mgr.init();
  const n1 = await mgr.createNetwork({ name: `b${id}-net`, driver: "bridge" });
  const a = await mgr.createNetns(`b${id}a`);
  const b = await mgr.createNetns(`b${id}b`);
  const ra = await mgr.setUpContainer({
    containerId: `b${id}a`, containerName: "sink", netnsPath: a, links: [], endpoints: [{ network: n1.name, aliases: ["api"] }],
    ports: [{ containerPort: 5001, hostPort: 25001, protocol: "tcp" }],
  });
  await mgr.setUpContainer({ containerId: `b${id}b`, containerName: "client", netnsPath: b, links: [], endpoints: [{ network: n1.name, aliases: [] }], ports: [] });

  // DNS
  const lat = JSON.parse(await run("nsenter", [`--net=${b}`, process.execPath, "-e", DNS_CLIENT, n1.gateway, "api", "5000"])) as number[];
  const dns = { queries: lat.length, p50ms: +pct(lat, 50).toFixed(3), p99ms: +pct(lat, 99).toFixed(3), maxms: +Math.max(...lat).toFixed(3) };

  // 1,000-port range
  const times: number[] = [];
  let extraProcs = 0;
  for (let i = 0; i < 5; i++) {
    const ns = await mgr.createNetns(`b${id}r`);
    const before = countProcs();
    const t0 = performance.now();
    await mgr.setUpContainer({
      containerId: `b${id}r`, containerName: "range", netnsPath: ns, links: [], endpoints: [{ network: n1.name, aliases: [] }],
      ports: [{ containerPort: 30000, hostPort: 30000, count: 1000, protocol: i % 2 ? "udp" : "tcp" }],
    });
    times.push(performance.now() - t0);
    extraProcs = Math.max(extraProcs, countProcs() - before); // measured after setUp returned
    await mgr.tearDownContainer(`b${id}r`);
    await mgr.removeNetns(`b${id}r`);
  }
  const range = { ports: 1000, medianMs: +median(times).toFixed(1), maxMs: +Math.max(...times).toFixed(1), extraProcesses: extraProcs };

  // TCP throughput
  const sink = spawn("nsenter", [`--net=${a}`, process.execPath, "-e", SINK], { stdio: ["ignore", "pipe", "inherit"] });
  procs.push(sink);
  await new Promise((r) => sink.stdout!.once("data", r));
  const bytes = 512 << 20;
  const ctrIp = ra.endpoints[0]!.ipv4Address;
  const direct: number[] = [];
  const published: number[] = [];
  for (let i = 0; i < 3; i++) {
    direct.push(await throughput(ctrIp, 5001, bytes));
    published.push(await throughput("127.0.0.1", 25001, bytes));
  }
  const tcp = { directMiBs: Math.round(median(direct)), publishedLoopbackMiBs: Math.round(median(published)), ratio: +(median(published) / median(direct)).toFixed(2) };

  console.log(JSON.stringify({ kernel: (await run("uname", ["-r"])).trim(), node: process.version, dns, range, tcp }, null, 2));
} finally {
  for (const p of procs) if (p.exitCode === null) p.kill("SIGKILL");
  await mgr.uninstall();
  for (const c of ["a", "b", "r"]) await mgr.removeNetns(`b${id}${c}`);
  rmSync(dir, { recursive: true, force: true });
}
