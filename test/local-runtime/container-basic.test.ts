import t from "tap";
import { makeHarness } from "./harness.js";
import { containerLogs } from "../../src/providers/local-runtime/container/container-ops.js";

t.test("run echo hi: log, exit code", async (t) => {
  const h = await makeHarness();
  t.teardown(() => h.cleanup());
  const c = await h.manager.create({ name: "hello", image: "busybox", command: ["sh", "-c", "echo hi; echo oops >&2; exit 3"], networkMode: "none" });
  t.equal(c.state, "created");
  await h.manager.start(c.id);
  t.ok(await h.manager.waitExit(c.id, 10000));
  const done = h.manager.get("hello");
  t.equal(done.state, "exited");
  t.equal(done.exitCode, 3);
  const logs = await containerLogs(h.manager, "hello", {});
  t.same(logs.map((l) => [l.stream, l.text]), [["stdout", "hi"], ["stderr", "oops"]]);
  t.match(logs[0]!.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+/);
});
