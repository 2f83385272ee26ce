/**
 * cgroups.ts, pure parts: /proc/PID/cgroup parsed for cgroup v1 (hybrid: controllers and the
 * unified hierarchy) and for v2 (one hierarchy), and the stats readers over directories laid out
 * as the kernel does (a fake tree in a temp dir: this host runs cgroup v1 hybrid, where the v2
 * hierarchy has no controllers, so the v2 readers cannot meet a real one here).
 */
import t from "tap";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cgroupDirsFrom, readCgroupStats } from "../../src/providers/local-runtime/container/cgroups.js";

const dir = mkdtempSync(join(tmpdir(), "infra-cgroups-"));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
const write = (d: string, files: Record<string, string>) => {
  mkdirSync(d, { recursive: true });
  for (const [f, text] of Object.entries(files)) writeFileSync(join(d, f), text);
};

t.test("/proc/PID/cgroup: v1 hybrid and v2", async (t) => {
  const v1 = "12:pids:/infra-x/c1\n11:memory:/infra-x/c1\n4:cpu,cpuacct:/infra-x/c1\n1:name=systemd:/infra-x/c1\n0::/infra-x/c1\n";
  t.same(cgroupDirsFrom(v1, false), {
    pids: "/sys/fs/cgroup/pids/infra-x/c1",
    memory: "/sys/fs/cgroup/memory/infra-x/c1",
    cpu: "/sys/fs/cgroup/cpu/infra-x/c1",
    cpuacct: "/sys/fs/cgroup/cpuacct/infra-x/c1",
    "name=systemd": "/sys/fs/cgroup/systemd/infra-x/c1",
    "": "/sys/fs/cgroup/unified/infra-x/c1",
  });
  t.same(cgroupDirsFrom("0::/infra-x/c1\n", true), { "": "/sys/fs/cgroup/infra-x/c1" }, "v2: the one hierarchy at the root");
});

t.test("stats from a v2 directory: cpu, memory and its limit, pids, io, OOM kills", async (t) => {
  const d = join(dir, "v2");
  write(d, {
    "cpu.stat": "usage_usec 1500\nuser_usec 1000\nsystem_usec 500\n",
    "memory.current": "4096\n",
    "memory.max": "max\n",
    "pids.current": "3\n",
    "io.stat": "8:0 rbytes=100 wbytes=20 rios=1 wios=1\n8:16 rbytes=5 wbytes=2 rios=1 wios=1\n",
    "memory.events": "low 0\nhigh 0\nmax 2\noom 1\noom_kill 1\n",
  });
  t.same(await readCgroupStats({ "": d }), { cpuNs: 1_500_000, memoryUsage: 4096, memoryLimit: Infinity, pids: 3, blkRead: 105, blkWrite: 22, oomKills: 1 });
  writeFileSync(join(d, "memory.max"), "1048576\n");
  t.equal((await readCgroupStats({ "": d })).memoryLimit, 1048576, "a set limit");
});

t.test("stats from v1 directories, and missing files read as zero", async (t) => {
  const mem = join(dir, "v1", "memory");
  write(mem, { "memory.usage_in_bytes": "8192\n", "memory.limit_in_bytes": "9223372036854771712\n", "memory.oom_control": "oom_kill_disable 0\nunder_oom 0\noom_kill 2\n" });
  write(join(dir, "v1", "cpuacct"), { "cpuacct.usage": "123456\n" });
  write(join(dir, "v1", "pids"), { "pids.current": "1\n" });
  write(join(dir, "v1", "blkio"), { "blkio.throttle.io_service_bytes": "8:0 Read 10\n8:0 Write 4\n8:0 Total 14\nTotal 14\n" });
  const dirs = { memory: mem, cpuacct: join(dir, "v1", "cpuacct"), pids: join(dir, "v1", "pids"), blkio: join(dir, "v1", "blkio"), "": join(dir, "v1", "unified") };
  const s = await readCgroupStats(dirs);
  t.same({ ...s, memoryLimit: s.memoryLimit > 1e18 }, { cpuNs: 123456, memoryUsage: 8192, memoryLimit: true, pids: 1, blkRead: 10, blkWrite: 4, oomKills: 2 }, "v1 (a hybrid host's unified directory beside them)");
  t.same(await readCgroupStats({ memory: join(dir, "none") }), { cpuNs: 0, memoryUsage: 0, memoryLimit: Infinity, pids: 0, blkRead: 0, blkWrite: 0, oomKills: 0 });
});
