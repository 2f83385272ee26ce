/**
 * Starts the engine when its socket does not answer: the same node binary runs the CLI entry
 * with `engine`, detached, and we wait until it answers.
 */
import { spawn } from "node:child_process";
import { mkdir, open } from "node:fs/promises";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import { resolveLayout, type LayoutOptions } from "../layout.js";
import { runtimeError } from "../runtime-error.js";
import { EngineClient } from "./engine-client.js";

export interface EnsureEngineOptions extends LayoutOptions {
  /** Script to run with `engine` (default: the running CLI, else dist/cli/main.js). */
  entry?: string;
  /** Arguments before the entry (loaders such as tsx in tests); default process.execArgv. */
  execArgv?: string[];
  timeoutMs?: number;
}

export function defaultEngineEntry(): string {
  const argv1 = process.argv[1];
  if (argv1 && /^(main\.(js|ts)|infra)$/.test(basename(argv1))) return argv1;
  return fileURLToPath(new URL("../../../cli/main.js", import.meta.url));
}

export async function ensureEngine(opts: EnsureEngineOptions = {}): Promise<EngineClient> {
  const layout = resolveLayout(opts);
  const client = new EngineClient(layout.engineSocket);
  if (await client.ping()) return client;
  await mkdir(layout.run, { recursive: true, mode: 0o700 });
  const log = await open(join(layout.run, "engine.log"), "a", 0o600);
  const entry = opts.entry ?? defaultEngineEntry();
  const args = [...(opts.execArgv ?? process.execArgv), entry, ...(/engine-entry\.(js|ts)$/.test(entry) ? [] : ["engine"])];
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
  throw runtimeError("Unavailable", "ENGINE_START", `the engine did not start (see ${join(layout.run, "engine.log")})`, "run `infra engine` in a terminal to see why");
}
