// ADD of a URL: downloaded when reachable, and a clear error naming the URL when not. Traffic
// stays on loopback: a server of the test's own, and a loopback port nothing listens on.
import t from "tap";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { buildImage } from "../../src/providers/local-runtime/build/build-image.js";
import { imageFiles, makeBuildHarness } from "./build-harness.js";

t.test("ADD URL", async (t) => {
  const h = await makeBuildHarness("infra-build-addurl-");
  const server = createServer((req, res) => {
    if (req.url === "/page.txt") res.end("served over http\n");
    else res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  // A port that was free a moment ago: nothing answers there.
  const closed = createServer();
  await new Promise<void>((r) => closed.listen(0, "127.0.0.1", r));
  const deadPort = (closed.address() as AddressInfo).port;
  await new Promise<void>((r) => closed.close(() => r()));
  t.teardown(async () => {
    await new Promise<void>((r) => server.close(() => r()));
    await h.cleanup();
  });

  const ok = await h.context({ Dockerfile: `FROM busybox\nADD http://127.0.0.1:${port}/page.txt /srv/\n` });
  const r = await buildImage(h.store, { contextDir: ok, tags: ["addurl:1"] });
  const files = await imageFiles(h.store, await h.store.mustResolve(r.id));
  t.equal(Buffer.from(files.get("srv/page.txt")?.data ?? []).toString(), "served over http\n", "the download lands under its URL's file name");

  const missing = await h.context({ Dockerfile: `FROM busybox\nADD http://127.0.0.1:${port}/nope.txt /srv/\n` });
  await t.rejects(buildImage(h.store, { contextDir: missing, tags: ["addurl:2"] }), { code: "INFRA_BUILD_ADD_URL", message: /nope\.txt: HTTP 404/ }, "a 404 names the URL and the status");

  const dead = await h.context({ Dockerfile: `FROM busybox\nADD http://127.0.0.1:${deadPort}/x.txt /srv/\n` });
  await t.rejects(buildImage(h.store, { contextDir: dead, tags: ["addurl:3"] }), { code: "INFRA_BUILD_ADD_URL", message: new RegExp(`127\\.0\\.0\\.1:${deadPort}/x\\.txt: ECONNREFUSED`) }, "an unreachable host names the URL and why");
  t.equal(await h.store.resolve("addurl:3"), undefined, "a failed build tags nothing");
  t.same(await h.leftovers(), { mounts: [], runc: [], buildDirs: [] }, "and leaves nothing behind");
});
