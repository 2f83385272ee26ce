import { ValueError } from "./value-error.js";

const UNITS: Record<string, number> = { "": 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };

/** "256m" → 268435456. Powers of 1024, as docker's RAMInBytes; "MB", "MiB" and "m" alike. */
export function parseSize(v: number | string): number {
  if (typeof v === "number") {
    if (!Number.isInteger(v) || v < 0) throw new ValueError("INFRA_VALIDATE_INVALID_SIZE", `size ${v} is not a whole number of bytes`, 'use bytes or a string like "256m"');
    return v;
  }
  const m = /^\s*(\d+(?:\.\d+)?)\s*([bkmgt]?)(?:i?b)?\s*$/i.exec(v);
  if (m === null) throw new ValueError("INFRA_VALIDATE_INVALID_SIZE", `"${v}" is not a size`, 'write a number with an optional unit: "512k", "256m", "1.5g"');
  const n = Number(m[1]) * (UNITS[(m[2] ?? "").toLowerCase()] ?? 1);
  return Math.round(n);
}

const DURATION_UNITS: Record<string, number> = { ns: 1e-6, us: 1e-3, "µs": 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** "1m30s" → 90000 ms; a number means seconds. */
export function parseDurationMs(v: number | string): number {
  if (typeof v === "number") {
    if (!(v >= 0) || !Number.isFinite(v)) throw new ValueError("INFRA_VALIDATE_INVALID_DURATION", `duration ${v} is negative or not finite`, "give seconds, or a string like \"30s\"");
    return Math.round(v * 1000);
  }
  const s = v.trim();
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/gy;
  let total = 0;
  let matched = 0;
  for (let m = re.exec(s); m !== null; m = re.exec(s)) {
    total += Number(m[1]) * (DURATION_UNITS[m[2] ?? "s"] ?? 0);
    matched = re.lastIndex;
  }
  if (s === "" || matched !== s.length) {
    throw new ValueError("INFRA_VALIDATE_INVALID_DURATION", `"${v}" is not a duration`, 'write e.g. "500ms", "30s", "1m30s", "2h", or a number of seconds');
  }
  return Math.round(total);
}
