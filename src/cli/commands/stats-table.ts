/**
 * `infra stats`' table, as Docker prints it: memory in binary units, I/O in decimal ones, and a
 * container without a memory limit shown against the host's memory (the limit it really has).
 */
export interface StatsRow {
  name: string;
  cpuPercent: number;
  memoryUsage: number;
  /** Bytes; null (Infinity sent as JSON), 0, or the cgroup's "no limit" value when unlimited. */
  memoryLimit: number | null;
  pids: number;
  netRx: number;
  netTx: number;
  blkRead: number;
  blkWrite: number;
}

function units(n: number, base: number, names: readonly string[]): string {
  let v = n;
  let i = 0;
  while (v >= base && i < names.length - 1) { v /= base; i++; }
  return i === 0 ? `${v}${names[0]}` : `${v.toFixed(v < 10 ? 2 : 1).replace(/\.?0+$/, "")}${names[i]}`;
}
export const binarySize = (n: number): string => units(n, 1024, ["B", "KiB", "MiB", "GiB", "TiB"]);
export const decimalSize = (n: number): string => units(n, 1000, ["B", "kB", "MB", "GB", "TB"]);

/** The limit in effect: the host's memory when the cgroup sets none or one above it (v1's 2^63-4096). */
export function effectiveMemoryLimit(limit: number | null, hostMemory: number): number {
  return limit === null || !Number.isFinite(limit) || limit <= 0 || limit > hostMemory ? hostMemory : limit;
}

export function renderStatsTable(rows: readonly StatsRow[], hostMemory: number): string {
  const table = [["NAME", "CPU %", "MEM USAGE / LIMIT", "MEM %", "NET I/O", "BLOCK I/O", "PIDS"]];
  for (const r of rows) {
    const limit = effectiveMemoryLimit(r.memoryLimit, hostMemory);
    table.push([
      r.name,
      `${r.cpuPercent.toFixed(2)}%`,
      `${binarySize(r.memoryUsage)} / ${binarySize(limit)}`,
      `${(limit > 0 ? (r.memoryUsage / limit) * 100 : 0).toFixed(2)}%`,
      `${decimalSize(r.netRx)} / ${decimalSize(r.netTx)}`,
      `${decimalSize(r.blkRead)} / ${decimalSize(r.blkWrite)}`,
      String(r.pids),
    ]);
  }
  const widths = table[0]!.map((_, c) => Math.max(...table.map((row) => row[c]!.length)));
  return table.map((row) => row.map((cell, c) => (c === row.length - 1 ? cell : cell.padEnd(widths[c]! + 3))).join("")).join("\n") + "\n";
}
