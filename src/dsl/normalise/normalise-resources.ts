import type { Value, ValueObject } from "../../graph/value.js";
import type { ResourcesInput } from "../container-props.js";
import { parseSize } from "../parse/size.js";
import { checkKeys, type SynthContext } from "./synth-context.js";

/** cgroup limits: sizes to bytes, cpus to a number. */
export function normaliseResources(ctx: SynthContext, v: ResourcesInput | undefined): Value | undefined {
  if (v === undefined) return undefined;
  checkKeys(ctx, v, ["memory", "memorySwap", "cpus", "cpuShares", "cpusetCpus", "pidsLimit", "blkioWeight", "shmSize"], "resources.");
  const o: ValueObject = {};
  const size = (k: "memory" | "memorySwap" | "shmSize"): void => {
    const x = v[k];
    if (x === undefined) return;
    if (k === "memorySwap" && (x === -1 || x === "-1")) {
      o[k] = -1;
      return;
    }
    const n = ctx.parse(`resources.${k}`, x, () => parseSize(x));
    if (n !== undefined) o[k] = n;
  };
  size("memory");
  size("memorySwap");
  size("shmSize");
  if (v.cpus !== undefined) {
    const n = typeof v.cpus === "number" ? v.cpus : Number(v.cpus);
    if (Number.isFinite(n) && n > 0) o.cpus = n;
    else ctx.error("INFRA_VALIDATE_INVALID_VALUE", `cpus ${JSON.stringify(v.cpus)} is not a positive number`, "resources.cpus", v.cpus, 'write e.g. 0.5 or "1.5"');
  }
  for (const k of ["cpuShares", "cpusetCpus", "pidsLimit", "blkioWeight"] as const) {
    const x = v[k];
    if (x !== undefined) o[k] = x;
  }
  return o;
}
