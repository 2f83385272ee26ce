/** The calling process's hard rlimits, from /proc/self/limits (Node has no getrlimit). */
import { readFileSync } from "node:fs";

const NAMES: Record<string, string> = {
  "Max cpu time": "RLIMIT_CPU", "Max file size": "RLIMIT_FSIZE", "Max data size": "RLIMIT_DATA",
  "Max stack size": "RLIMIT_STACK", "Max core file size": "RLIMIT_CORE", "Max resident set": "RLIMIT_RSS",
  "Max processes": "RLIMIT_NPROC", "Max open files": "RLIMIT_NOFILE", "Max locked memory": "RLIMIT_MEMLOCK",
  "Max address space": "RLIMIT_AS", "Max file locks": "RLIMIT_LOCKS", "Max pending signals": "RLIMIT_SIGPENDING",
  "Max msgqueue size": "RLIMIT_MSGQUEUE", "Max nice priority": "RLIMIT_NICE", "Max realtime priority": "RLIMIT_RTPRIO",
  "Max realtime timeout": "RLIMIT_RTTIME",
};

export function parseLimits(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of text.split("\n")) {
    for (const [label, key] of Object.entries(NAMES)) {
      if (!line.startsWith(label)) continue;
      const cols = line.slice(26).trim().split(/\s+/);
      const hard = cols[1];
      if (hard !== undefined && hard !== "unlimited") out[key] = Number(hard);
    }
  }
  return out;
}

export function hostHardLimits(): Record<string, number> {
  try {
    return parseLimits(readFileSync("/proc/self/limits", "utf8"));
  } catch {
    return {};
  }
}
