// `infra stats`' table: a container with no memory limit is shown against the host's memory (as
// Docker does), never as 2^63 bytes or "unlimited", with a MEM % relative to it; columns line up.
import t from "tap";
import { binarySize, decimalSize, effectiveMemoryLimit, renderStatsTable, type StatsRow } from "../../src/cli/commands/stats-table.js";

const GiB = 1024 ** 3;
const host = 8 * GiB;
const row = (name: string, memoryLimit: number | null, memoryUsage = 512 * 1024 ** 2): StatsRow =>
  ({ name, cpuPercent: 1.5, memoryUsage, memoryLimit, pids: 3, netRx: 1234, netTx: 0, blkRead: 2_500_000, blkWrite: 4096 });

t.test("units as Docker prints them", async (t) => {
  t.equal(binarySize(0), "0B");
  t.equal(binarySize(1536), "1.5KiB");
  t.equal(binarySize(512 * 1024 ** 2), "512MiB");
  t.equal(binarySize(host), "8GiB");
  t.equal(decimalSize(1234), "1.23kB");
  t.equal(decimalSize(2_500_000), "2.5MB");
});

t.test("no limit (null from JSON, cgroup v1's 2^63-4096, v2's max as Infinity, 0) is the host's memory", async (t) => {
  for (const l of [null, 9223372036854771712, Infinity, 0]) t.equal(effectiveMemoryLimit(l, host), host, String(l));
  t.equal(effectiveMemoryLimit(64 * 1024 ** 2, host), 64 * 1024 ** 2, "a real limit is kept");
});

t.test("the table", async (t) => {
  const out = renderStatsTable([row("unlimited-one", 9223372036854771712), row("limited", 1 * GiB), row("json-null", null)], host);
  const lines = out.trimEnd().split("\n");
  t.same(lines.map((l) => l.replace(/ {3,}/g, " | ")), [
    "NAME | CPU % | MEM USAGE / LIMIT | MEM % | NET I/O | BLOCK I/O | PIDS",
    "unlimited-one | 1.50% | 512MiB / 8GiB | 6.25% | 1.23kB / 0B | 2.5MB / 4.1kB | 3",
    "limited | 1.50% | 512MiB / 1GiB | 50.00% | 1.23kB / 0B | 2.5MB / 4.1kB | 3",
    "json-null | 1.50% | 512MiB / 8GiB | 6.25% | 1.23kB / 0B | 2.5MB / 4.1kB | 3",
  ]);
  const col = (h: string) => lines[0]!.indexOf(h);
  for (const l of lines.slice(1)) t.equal(l.indexOf("MiB /"), col("MEM USAGE / LIMIT") + 3, "columns line up");
});
