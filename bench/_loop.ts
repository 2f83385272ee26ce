import { spawnSync } from "node:child_process";
import { readFile } from "node:fs/promises";
import { removeCgroupParent } from "../src/providers/local-runtime/container/cgroups.js";
import { makeE2e } from "../test/e2e/e2e-harness.js";
process.env.INFRA_E2E_CLI = "dist";
const e = await makeE2e("loop");
const net = process.argv[2] ?? "bridge";
try {
  const env = net === "none" ? { ...e.env, INFRA_ENGINE_NETWORK: "off" } : e.env;
  const args = ["run", "--rm", ...(net === "none" ? ["--network", "none"] : []), "busybox", "true"];
  for (let i = 0; i < 3; i++) spawnSync("/work/main/bin/infra", args, { env });
  const xs: number[] = [];
  for (let i = 0; i < 40; i++) { const t0 = process.hrtime.bigint(); spawnSync("/work/main/bin/infra", args, { env }); xs.push(Number(process.hrtime.bigint() - t0) / 1e6); }
  xs.sort((a, b) => a - b);
  console.log(net, "back-to-back median", xs[20]!.toFixed(1), "p25", xs[10]!.toFixed(1), "p75", xs[30]!.toFixed(1));
} finally {
  await e.cleanup();
  await removeCgroupParent(e.layout.cgroupParent, await readFile("/proc/self/cgroup", "utf8"));
}
