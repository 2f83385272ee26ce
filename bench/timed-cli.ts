/** Runs the CLI (`BIN ARGS`, BIN = bin/infra) once and times it; shared by the apply benches. */
import { spawn } from "node:child_process";

export function timed(bin: string, cwd: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ ms: number; code: number; out: string }> {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(bin, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (out += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ ms: Number(process.hrtime.bigint() - t0) / 1e6, code: code ?? -1, out }));
  });
}
