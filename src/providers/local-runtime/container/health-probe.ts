/** The engine side of health checks: the ContainerManager seen as a HealthHost. */
import { rm } from "node:fs/promises";
import type { ContainerManager } from "./container-manager.js";
import { writeExecSpec } from "./container-ops.js";
import type { HealthHost } from "./health-monitor.js";

export function healthHostFor(m: ContainerManager): HealthHost {
  return {
    find: (id) => m.find(id),
    imageHealthcheck: async (rec) => (await m.opts.images.mustResolve(rec.imageId)).config.config?.Healthcheck,
    setHealth: (id, startedAt, health) => m.setHealth(id, startedAt, health),
    async probe(id, argv, timeoutMs) {
      const { rec, file } = await writeExecSpec(m, id, { cmd: argv });
      try {
        const t0 = Date.now();
        const r = await m.runc.exec(rec.id, file, undefined, timeoutMs);
        // runCommand's timeout ends runc with SIGTERM, which runc passes on to the probe (exit 143).
        if (Date.now() - t0 >= timeoutMs) return { exitCode: -1, output: `Health check exceeded timeout (${timeoutMs / 1000}s)` };
        return { exitCode: r.signal ? 128 + 9 : r.code, output: r.stdout + r.stderr };
      } finally {
        await rm(file, { force: true });
      }
    },
  };
}
