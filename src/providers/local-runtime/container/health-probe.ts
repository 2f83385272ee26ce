/**
 * The engine side of health checks: the ContainerManager seen as a HealthHost. A probe is a
 * `runc exec` with a pid file, so that a probe past its timeout is SIGKILLed inside the container
 * (killing runc alone would leave it running there).
 */
import { spawn } from "node:child_process";
import { readFile, rm } from "node:fs/promises";
import type { ContainerManager } from "./container-manager.js";
import { writeExecSpec } from "./container-ops.js";
import type { HealthHost } from "./health-monitor.js";

const OUTPUT_CAP = 64 * 1024;

export function healthHostFor(m: ContainerManager): HealthHost {
  return {
    find: (id) => m.find(id),
    imageHealthcheck: async (rec) => (await m.opts.images.mustResolve(rec.imageId)).config.config?.Healthcheck,
    setHealth: (id, startedAt, health) => m.setHealth(id, startedAt, health),
    async probe(id, argv, timeoutMs) {
      const { rec, file } = await writeExecSpec(m, id, { cmd: argv });
      const pidFile = `${file}.pid`;
      try {
        return await new Promise((resolve) => {
          const child = spawn(m.runc.binary, ["--root", m.runc.root, "exec", "--pid-file", pidFile, "--process", file, rec.id], { stdio: ["ignore", "pipe", "pipe"] });
          let out = "";
          let timedOut = false;
          const take = (d: Buffer) => { if (out.length < OUTPUT_CAP) out += d.toString("utf8"); };
          child.stdout.on("data", take);
          child.stderr.on("data", take);
          const timer = setTimeout(() => {
            timedOut = true;
            void readFile(pidFile, "utf8").then((p) => process.kill(Number(p.trim()), "SIGKILL")).catch(() => child.kill("SIGKILL"));
          }, timeoutMs);
          child.on("error", (e) => { clearTimeout(timer); resolve({ exitCode: -1, output: e.message }); });
          child.on("close", (code, signal) => {
            clearTimeout(timer);
            if (timedOut) resolve({ exitCode: -1, output: `Health check exceeded timeout (${timeoutMs / 1000}s)` });
            else resolve({ exitCode: code ?? (signal ? 137 : -1), output: out });
          });
        });
      } finally {
        await rm(file, { force: true });
        await rm(pidFile, { force: true });
      }
    },
  };
}
