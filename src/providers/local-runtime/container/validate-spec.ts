/** Checks of a container spec that need no I/O: limits, names of signals and capabilities. */
import type { ContainerSpec } from "../../../graph/specs.js";
import { runtimeError } from "../runtime-error.js";
import { ALL_CAPS } from "./oci-defaults.js";
import { capName } from "./oci-spec.js";
import { cpus } from "node:os";

const MIN_MEMORY = 6 * 1024 * 1024;

export function validateContainerSpec(spec: ContainerSpec, hostHardLimits: Record<string, number>): void {
  const bad = (what: string, msg: string, hint: string) => { throw runtimeError("Invalid", what, msg, hint); };
  const r = spec.resources ?? {};
  if (r.memory !== undefined && (!Number.isInteger(r.memory) || r.memory < MIN_MEMORY))
    bad("BAD_MEMORY", `memory limit ${r.memory} is invalid: at least 6 MiB (6291456 bytes)`, "e.g. -m 64m");
  if (r.memorySwap !== undefined && r.memorySwap !== -1 && (r.memory === undefined || r.memorySwap < r.memory))
    bad("BAD_MEMORY_SWAP", `memory+swap limit ${r.memorySwap} must be at least the memory limit (${r.memory ?? "unset"})`, "set -m too, or use -1 for unlimited swap");
  if (r.cpus !== undefined && (!(r.cpus > 0) || r.cpus > cpus().length))
    bad("BAD_CPUS", `cpus ${r.cpus} is invalid: between 0 and ${cpus().length} on this host`, "e.g. --cpus 0.5");
  if (r.pidsLimit !== undefined && (!Number.isInteger(r.pidsLimit) || (r.pidsLimit < 1 && r.pidsLimit !== -1)))
    bad("BAD_PIDS_LIMIT", `pids limit ${r.pidsLimit} is invalid`, "a positive number, or -1 for unlimited");
  if (r.cpuShares !== undefined && (r.cpuShares < 2 || r.cpuShares > 262144)) bad("BAD_CPU_SHARES", `cpu shares ${r.cpuShares} out of range 2..262144`, "e.g. 512");
  if (r.blkioWeight !== undefined && (r.blkioWeight < 10 || r.blkioWeight > 1000)) bad("BAD_BLKIO_WEIGHT", `blkio weight ${r.blkioWeight} out of range 10..1000`, "e.g. 500");
  for (const c of [...(spec.capAdd ?? []), ...(spec.capDrop ?? [])]) {
    const n = capName(c);
    if (n !== "ALL" && !ALL_CAPS.includes(n)) bad("BAD_CAPABILITY", `unknown capability '${c}'`, "e.g. NET_ADMIN, SYS_TIME");
  }
  for (const u of spec.ulimits ?? []) {
    const key = `RLIMIT_${u.name.toUpperCase().replace(/^RLIMIT_/, "")}`;
    const cap = hostHardLimits[key];
    if (u.soft > u.hard) bad("BAD_ULIMIT", `ulimit ${u.name}: soft ${u.soft} is above hard ${u.hard}`, "soft must be <= hard");
    if (cap !== undefined && u.hard > cap) bad("BAD_ULIMIT", `ulimit ${u.name}: hard ${u.hard} is above the engine's own hard limit ${cap}`, `use at most ${cap}`);
  }
  const p = spec.restart;
  if (p && !["no", "on-failure", "always", "unless-stopped"].includes(p.policy)) bad("BAD_RESTART", `unknown restart policy '${p.policy}'`, "no, on-failure[:N], always or unless-stopped");
}
