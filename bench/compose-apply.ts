/**
 * Issue 6's speed target: `infra apply` of a 20-service compose file (busybox httpd services on
 * 3 networks, 6 published ports) from nothing, and `infra destroy` of it, with the built CLI
 * (bin/infra) against an engine of its own; median of N runs. Root only; removes what it made.
 * Usage: npm run build && node --import tsx bench/compose-apply.ts [--runs 5] [--json FILE]
 */
import { existsSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import http from "node:http";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { timed as timedCli } from "./timed-cli.js";
import { makeE2e, tcpPortFree } from "../test/e2e/e2e-harness.js";

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const RUNS = Number(arg("--runs") ?? 5);
const JSON_OUT = arg("--json");
const repo = fileURLToPath(new URL("../", import.meta.url));
const bin = join(repo, "bin", "infra");
if (!existsSync(join(repo, "dist", "cli", "main.js"))) throw new Error("build first: npm run build");
if (process.getuid?.() !== 0) throw new Error("run as root: the engine needs it");

const SERVICES = 20;
const NETWORKS = ["front", "back", "mgmt"] as const;
const PUBLISHED = 6;

/** The compose file: service i on network i mod 3 (every fifth also on the next), the first six published. */
export function composeFile(ports: number[]): string {
  const lines = ["services:"];
  for (let i = 0; i < SERVICES; i++) {
    const name = `s${String(i + 1).padStart(2, "0")}`;
    const nets = [NETWORKS[i % 3]!, ...(i % 5 === 0 ? [NETWORKS[(i + 1) % 3]!] : [])];
    lines.push(`  ${name}:`, "    image: busybox", '    command: ["httpd", "-f", "-p", "80", "-h", "/etc"]', "    init: true");
    lines.push(`    networks: [${nets.join(", ")}]`);
    if (i < PUBLISHED) lines.push(`    ports: ["${ports[i]}:80"]`);
  }
  lines.push("networks:", ...NETWORKS.map((n) => `  ${n}: {}`));
  return lines.join("\n") + "\n";
}

function timed(args: string[], env: NodeJS.ProcessEnv): Promise<{ ms: number; code: number; out: string }> {
  return timedCli(bin, repo, args, env);
}

function status(port: number): Promise<number> {
  return new Promise((resolve) => {
    const req = http.get(`http://127.0.0.1:${port}/hostname`, { timeout: 3000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on("timeout", () => req.destroy());
    req.on("error", () => resolve(0));
  });
}

async function allAnswer(ports: number[]): Promise<boolean> {
  for (let i = 0; i < 50; i++) {
    if ((await Promise.all(ports.map(status))).every((s) => s === 200)) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

process.env.INFRA_E2E_CLI = "dist"; // checks between runs use the built CLI too
const e = await makeE2e("bench-compose");
try {
  const ports: number[] = [];
  for (let p = 20000 + Math.floor(Math.random() * 20000); ports.length < PUBLISHED; p++) if (await tcpPortFree(p)) ports.push(p);
  const file = join(e.dir, "compose.yaml");
  await writeFile(file, composeFile(ports));
  const stack = ["-f", file, "-p", "bench"];
  const step = async (args: string[]) => {
    const r = await timed(args, e.env);
    if (r.code !== 0) throw new Error(`infra ${args.join(" ")} failed (${r.code}):\n${r.out}`);
    return r.ms;
  };

  // The engine's first start (and the busybox image it assembles) is not part of an apply.
  const engineStart = await step(["run", "--rm", "busybox", "true"]);
  const apply: number[] = [];
  const destroy: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    apply.push(await step(["apply", ...stack, "--yes"]));
    if (!(await allAnswer(ports))) throw new Error(`run ${i + 1}: not every published port answered HTTP`);
    const running = (await e.cli(["ps", "-q"])).stdout.split("\n").filter(Boolean).length;
    if (running !== SERVICES) throw new Error(`run ${i + 1}: ${running} containers running, not ${SERVICES}`);
    destroy.push(await step(["destroy", ...stack, "--yes"]));
    const left = await e.leftovers();
    if (left.length > 0) throw new Error(`run ${i + 1}: destroy left ${left.join(", ")}`);
  }
  const result = {
    services: SERVICES, networks: NETWORKS.length, publishedPorts: PUBLISHED, runs: RUNS,
    engineFirstStartMs: Math.round(engineStart),
    applyMs: apply.map(Math.round), applyMedianMs: Math.round(median(apply)),
    destroyMs: destroy.map(Math.round), destroyMedianMs: Math.round(median(destroy)),
    // The issue's docker-compose figure (`up -d` of this kind of file, on this kind of machine); not measured here.
    issueDockerComposeUpMs: [12_700, 14_300],
    speedupVsIssueFigure: [+(12_700 / median(apply)).toFixed(1), +(14_300 / median(apply)).toFixed(1)],
  };
  process.stdout.write(JSON.stringify(result, null, 2) + "\n");
  if (JSON_OUT) await writeFile(JSON_OUT, JSON.stringify(result, null, 2) + "\n");
} finally {
  await e.cleanup();
}
