/** The pure parts of the start-up repairs: which names, mounts and cgroups are the engine's. */
import t from "tap";
import { cgroupParents, mountsUnder } from "../../src/providers/local-runtime/container/host-leftovers.js";
import { isOwnBridgeName } from "../../src/providers/local-runtime/network/network-naming.js";
import { FAULT_POINTS } from "../../src/providers/local-runtime/host/fault-point.js";
import type { ContainerRecord } from "../../src/providers/local-runtime/container/container-record.js";

t.test("a bridge is the engine's only by its exact shape", async (t) => {
  t.ok(isOwnBridgeName("ab", "ab0"));
  t.ok(isOwnBridgeName("ab", "ab-0123456789ab"));
  t.notOk(isOwnBridgeName("ab", "ab-0123"), "too short for a network id");
  t.notOk(isOwnBridgeName("ab", "ab-0123456789aX"), "not hex");
  t.notOk(isOwnBridgeName("ab", "ab1-0123456789a"), "another prefix's bridge");
  t.notOk(isOwnBridgeName("ab", "ab00"), "another prefix's default bridge");
  t.notOk(isOwnBridgeName("ab", "docker0"));
  t.notOk(isOwnBridgeName("a", "ab-0123456789ab"), "prefix a does not own prefix ab's bridges");
});

t.test("mounts under the containers directory, unescaped, deepest first", async (t) => {
  const info = [
    "36 25 0:32 / /var/lib/x/containers/aaa/bundle/rootfs rw - overlay overlay rw",
    "37 36 0:33 / /var/lib/x/containers/aaa/bundle/rootfs/proc rw - proc proc rw",
    "38 25 0:34 / /var/lib/x/containers\\040b/ccc rw - tmpfs tmpfs rw",
    "39 25 0:35 / /var/lib/x/containersX/ddd rw - tmpfs tmpfs rw",
    "40 25 0:36 / /var/lib/x/containers/b\\040c/bundle/rootfs rw - overlay overlay rw",
  ].join("\n");
  t.same(mountsUnder(info, "/var/lib/x/containers"), [
    { id: "aaa", path: "/var/lib/x/containers/aaa/bundle/rootfs/proc" },
    { id: "aaa", path: "/var/lib/x/containers/aaa/bundle/rootfs" },
    { id: "b c", path: "/var/lib/x/containers/b c/bundle/rootfs" },
  ]);
});

t.test("cgroup parents: under the engine's own cgroup, and where records say", async (t) => {
  const own = "4:memory:/svc\n3:pids:/\n0::/";
  const rec = { cgroupDirs: { pids: "/sys/fs/cgroup/pids/elsewhere/infra-1/abc", cpu: "/sys/fs/cgroup/cpu/other/abc" } } as unknown as ContainerRecord;
  const parents = cgroupParents("infra-1", own, [rec]);
  for (const p of ["/sys/fs/cgroup/memory/svc/infra-1", "/sys/fs/cgroup/pids/elsewhere/infra-1", "/sys/fs/cgroup/pids/infra-1"]) t.ok(parents.includes(p), p);
  t.notOk(parents.some((p) => p.includes("/other")), "a directory not under the engine's parent is not one");
  t.equal(parents.length, 4, "and the v2 (or hybrid unified) one");
});

t.test("fault points have unique names", async (t) => {
  t.equal(new Set(FAULT_POINTS).size, FAULT_POINTS.length);
});
