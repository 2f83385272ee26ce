/**
 * Starts the engine when its socket does not answer: the same node binary runs the CLI entry
 * with `engine`, detached, and we wait until it answers.
 */
import { spawn } from "node:child_process";
import { open } from "node:fs/promises";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import { requireRoot } from "../host/needs-root.js";
import { closeRunDir } from "../host/state-root.js";
import { resolveLayout, type Layout, type LayoutOptions } from "../layout.js";
import { runtimeError } from "../runtime-error.js";
import { EngineClient } from "./engine-client.js";
import { engineAlive, readEnginePid } from "./engine-pid.js";

export interface EnsureEngineOptions extends LayoutOptions {
  /** Script to run with `engine` (default: the running CLI, else dist/cli/main.js). */
  entry?: string;
  /** Arguments before the entry (loaders such as tsx in tests); default process.execArgv. */
  execArgv?: string[];
  timeoutMs?: number;
}

/**
 * Node flags for the engine process. A 1 MB young generation (V8's default grows it to 16 MB
 * per semi-space): the engine's garbage is small and short-lived, and the smaller nursery keeps
 * its idle RSS ~12-15 MB lower (bench/apply-100.ts) for a few more, cheap, scavenges.
 */
export const ENGINE_NODE_FLAGS = ["--max-semi-space-size=1"];

export function defaultEngineEntry(): string {
  const argv1 = process.argv[1];
  if (argv1 && /^(main\.(js|ts)|infra)$/.test(basename(argv1))) return argv1;
  return fileURLToPath(new URL("../../../cli/main.js", import.meta.url));
}

/** True when the engine of the pid file (serving, or still starting) answered; false when it is gone (or never was). */
async function waitForOldEngine(layout: Layout, client: EngineClient, timeoutMs: number): Promise<boolean> {
  const pid = await readEnginePid(layout);
  if (pid === 0 || pid === process.pid) return false;
  const end = Date.now() + timeoutMs;
  while (Date.now() < end && engineAlive(pid)) {
    if (await client.ping()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

export async function ensureEngine(opts: EnsureEngineOptions = {}): Promise<EngineClient> {
  const layout = resolveLayout(opts);
  requireRoot(`to reach the engine at ${layout.engineSocket}`);
  const client = new EngineClient(layout.engineSocket);
  if (await client.ping()) return client;
  // An engine still starting (its CLI was killed), or shutting down (it holds its bridges' DNS ports): wait for it.
  if (await waitForOldEngine(layout, client, opts.timeoutMs ?? 15000)) return client;
  await closeRunDir(layout);
  const log = await open(join(layout.run, "engine.log"), "a", 0o600);
  const entry = opts.entry ?? defaultEngineEntry();
  const execArgv = opts.execArgv ?? process.execArgv;
  const flags = ENGINE_NODE_FLAGS.filter((f) => !execArgv.some((a) => a.startsWith(f.split("=")[0]!)));
  const args = [...execArgv, ...flags, entry, ...(/engine-entry\.(js|ts)$/.test(entry) ? [] : ["engine"])];
  const child = spawn(process.execPath, args, {
    detached: true,
    stdio: ["ignore", log.fd, log.fd],
    env: { ...process.env, INFRA_ROOT: layout.root, INFRA_RUN: layout.run },
  });
  child.unref();
  await log.close();
  const end = Date.now() + (opts.timeoutMs ?? 15000);
  while (Date.now() < end) {
    if (await client.ping()) return client;
    if (child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  // An engine that refused to start (a bad settings file) said why as its last words.
  const why = child.exitCode !== null ? await lastLogLine(join(layout.run, "engine.log")) : undefined;
  throw runtimeError("Unavailable", "ENGINE_START", `the engine did not start${why !== undefined ? `: ${why}` : ""} (see ${join(layout.run, "engine.log")})`, "run `infra engine` in a terminal to see why");
}

/** The last line of the engine's log that says something, from its last 4 KiB. */
async function lastLogLine(path: string): Promise<string | undefined> {
  const text = await tail(path, 4096);
  const lines = text.split("\n").map((l) => l.trim()).filter((l) => l !== "" && !/^(hint|→)/i.test(l));
  const errorLine = [...lines].reverse().find((l) => /error|INFRA_/i.test(l));
  return (errorLine ?? lines[lines.length - 1])?.replace(/^Error: /, "").slice(0, 500);
}

async function tail(path: string, bytes: number): Promise<string> {
  const f = await open(path, "r").catch(() => undefined);
  if (f === undefined) return "";
  try {
    const size = (await f.stat()).size;
    const buf = Buffer.alloc(Math.min(size, bytes));
    await f.read(buf, 0, buf.length, size - buf.length);
    return buf.toString("utf8");
  } finally {
    await f.close();
  }
}
