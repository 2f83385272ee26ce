/** Push and pull against a real docker-registry, checked both ways with skopeo. */
import t from "tap";
import { readFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { mustRun } from "../../src/providers/local-runtime/host/run-command.js";
import { pullImage, type BlobProgress } from "../../src/providers/local-runtime/registry/pull-image.js";
import { pushImage } from "../../src/providers/local-runtime/registry/push-image.js";
import { startRegistry } from "./fixtures/registry-server.js";
import { countingFetch, newStore } from "./fixtures/stores.js";

t.test("push busybox, pull it back, skip, mount, and skopeo agrees", async (t) => {
  const dir = t.testdir({});
  const reg = await startRegistry(t, join(dir, "registry"));
  const authFile = join(dir, "auth.json");
  const a = await newStore(join(dir, "a"));
  const busybox = await a.ensureBusybox();

  const events: BlobProgress[] = [];
  const first = await pushImage(a, "busybox", `${reg.host}/infra/bb:1`, { authFile, onProgress: (p) => events.push(p) });
  t.equal(first.digest, busybox.digest, "the registry keeps the manifest's exact bytes");
  t.same(first.counts, { exists: 0, mounted: 0, uploaded: 2 });
  t.same(events.filter((e) => e.action !== undefined).map((e) => `${e.kind} ${e.action}`).sort(), ["config uploaded", "layer uploaded"], "one progress event per finished blob");

  await t.test("pull into a second store: same manifest digest and config", async (t) => {
    const b = await newStore(join(dir, "b"));
    const pulled = await pullImage(b, `${reg.host}/infra/bb:1`, { authFile });
    t.equal(pulled.record.digest, busybox.digest);
    t.equal(pulled.record.id, busybox.id);
    t.same(pulled.record.config, busybox.config);
    t.same(pulled.record.names, [`${reg.host}/infra/bb:1`]);
    t.equal(pulled.downloaded, 2);
    t.same(await b.getBlob(busybox.digest), await a.getBlob(busybox.digest), "manifest stored as exact bytes");
    const [lower] = await b.layerDirs(pulled.record);
    t.ok(existsSync(join(lower!, "bin/busybox")), "the pulled layer unpacks");
    const again = await pullImage(b, `${reg.host}/infra/bb:1`, { authFile });
    t.equal(again.downloaded, 0, "a second pull downloads nothing");

    // Blobs pulled from infra/bb are mounted, not uploaded, when this store pushes to infra/bb-copy.
    const counter = countingFetch();
    const copy = await pushImage(b, `${reg.host}/infra/bb:1`, `${reg.host}/infra/bb-copy:1`, { authFile, fetch: counter.fetch });
    t.same(copy.counts, { exists: 0, mounted: 2, uploaded: 0 });
    t.ok(counter.calls.some((c) => c.startsWith("POST /v2/infra/bb-copy/blobs/uploads/?mount=sha256%3A") && c.endsWith("&from=infra%2Fbb")), "cross-repository mount request");
    t.notOk(counter.calls.some((c) => c.startsWith("PUT /v2/infra/bb-copy/blobs/")), "no blob upload");
  });

  await t.test("a second push only checks existence", async (t) => {
    const counter = countingFetch();
    const r = await pushImage(a, "busybox", `${reg.host}/infra/bb:1`, { authFile, fetch: counter.fetch });
    t.same(r.counts, { exists: 2, mounted: 0, uploaded: 0 });
    t.same(counter.calls, [
      `HEAD /v2/infra/bb/blobs/${busybox.id}`,
      `HEAD /v2/infra/bb/blobs/${busybox.manifest.layers[0]!.digest}`,
      "PUT /v2/infra/bb/manifests/1",
    ]);
  });

  await t.test("pushing to a second repository mounts what the first holds", async (t) => {
    const counter = countingFetch();
    const r = await pushImage(a, "busybox", `${reg.host}/other/bb:2`, { authFile, fetch: counter.fetch });
    t.same(r.counts, { exists: 0, mounted: 2, uploaded: 0 });
    t.equal(counter.calls.filter((c) => c.includes("?mount=")).length, 2);
    t.equal(counter.calls.filter((c) => c.startsWith("PUT ") && c.includes("/blobs/")).length, 0, "no upload");
  });

  await t.test("skopeo reads what we pushed", async (t) => {
    const info = JSON.parse(await mustRun("skopeo", ["inspect", "--tls-verify=false", `docker://${reg.host}/infra/bb:1`])) as { Digest: string; Architecture: string; Os: string; Layers: string[] };
    t.equal(info.Digest, busybox.digest);
    t.equal(info.Architecture, "amd64");
    t.equal(info.Os, "linux");
    t.same(info.Layers, busybox.manifest.layers.map((l) => l.digest));
    const raw = await mustRun("skopeo", ["inspect", "--raw", "--tls-verify=false", `docker://${reg.host}/other/bb:2`]);
    t.equal(raw, (await a.getBlob(busybox.digest)).toString("utf8"), "exact manifest bytes");
  });

  await t.test("skopeo copy to Docker schema 2 (gzip layers), pulled with our client", async (t) => {
    await mustRun("skopeo", ["copy", "--quiet", "--src-tls-verify=false", "--dest-tls-verify=false", "--format", "v2s2", `docker://${reg.host}/infra/bb:1`, `docker://${reg.host}/skopeo/bb:v2s2`]);
    const c = await newStore(join(dir, "c"));
    const pulled = await pullImage(c, `${reg.host}/skopeo/bb:v2s2`, { authFile });
    t.equal(pulled.record.manifest.mediaType, "application/vnd.docker.distribution.manifest.v2+json");
    t.equal(pulled.record.manifest.layers[0]!.mediaType, "application/vnd.docker.image.rootfs.diff.tar.gzip");
    t.not(pulled.record.manifest.layers[0]!.digest, busybox.manifest.layers[0]!.digest, "skopeo compressed the layer");
    t.same(pulled.record.config.rootfs.diff_ids, busybox.config.rootfs.diff_ids, "same uncompressed content");
    const [lower] = await c.layerDirs(pulled.record);
    t.ok(existsSync(join(lower!, "bin/sh")));
  });

  await t.test("an image umoci built, copied in by skopeo, pulled with our client", async (t) => {
    const layout = join(dir, "umoci-layout");
    const bundle = join(dir, "umoci-bundle");
    await mustRun("umoci", ["init", "--layout", layout]);
    await mustRun("umoci", ["new", "--image", `${layout}:t`]);
    await mustRun("umoci", ["unpack", "--image", `${layout}:t`, bundle]);
    await mustRun("sh", ["-c", `mkdir -p ${bundle}/rootfs/etc && echo hello-from-umoci > ${bundle}/rootfs/etc/greeting`]);
    await mustRun("umoci", ["repack", "--image", `${layout}:t`, bundle]);
    await mustRun("umoci", ["config", "--image", `${layout}:t`, "--config.cmd", "cat", "--config.cmd", "/etc/greeting"]);
    await mustRun("skopeo", ["copy", "--quiet", "--dest-tls-verify=false", `oci:${layout}:t`, `docker://${reg.host}/umoci/greeting:t`]);
    const d = await newStore(join(dir, "d"));
    const pulled = await pullImage(d, `${reg.host}/umoci/greeting:t`, { authFile });
    const raw = await mustRun("skopeo", ["inspect", "--raw", "--tls-verify=false", `docker://${reg.host}/umoci/greeting:t`]);
    t.equal((await d.getBlob(pulled.record.digest)).toString("utf8"), raw, "the manifest as skopeo wrote it");
    t.same(pulled.record.config.config?.Cmd, ["cat", "/etc/greeting"]);
    const dirs = await d.layerDirs(pulled.record);
    t.equal(await readFile(join(dirs[0]!, "etc/greeting"), "utf8"), "hello-from-umoci\n");
  });
});
