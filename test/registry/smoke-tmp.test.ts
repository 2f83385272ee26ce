import t from "tap";
import { join } from "node:path";
import { resolveLayout } from "../../src/providers/local-runtime/layout.js";
import { ImageStore } from "../../src/providers/local-runtime/image/image-store.js";
import { pushImage } from "../../src/providers/local-runtime/registry/push-image.js";
import { pullImage } from "../../src/providers/local-runtime/registry/pull-image.js";
import { startRegistry } from "./fixtures/registry-server.js";

t.test("smoke", async (t) => {
  const dir = t.testdir({});
  const reg = await startRegistry(t, join(dir, "reg"));
  const a = new ImageStore(resolveLayout({ root: join(dir, "a"), run: join(dir, "ar") }));
  await a.init();
  const bb = await a.ensureBusybox();
  const r = await pushImage(a, "busybox", `${reg.host}/bb:1`, { authFile: join(dir, "auth.json") });
  console.error(r);
  const b = new ImageStore(resolveLayout({ root: join(dir, "b"), run: join(dir, "br") }));
  await b.init();
  const p = await pullImage(b, `${reg.host}/bb:1`, { authFile: join(dir, "auth.json") });
  t.equal(p.record.digest, bb.digest);
});
