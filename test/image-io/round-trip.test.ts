/** Export then import, in every form: the same manifest and config digests, the same names, usable layers. */
import t from "tap";
import { createHash } from "node:crypto";
import { readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { exportImages } from "../../src/providers/local-runtime/image/image-export.js";
import { importImageArchive } from "../../src/providers/local-runtime/image/image-import.js";
import { readTar } from "../../src/providers/local-runtime/image/tar-reader.js";
import { buildImage, simpleLayer, storeIn, storeSnapshot } from "./fixtures.js";
import { importImageBytes } from "../../src/providers/local-runtime/image/image-import.js";
import { layoutTar } from "../../src/providers/local-runtime/image/image-export.js";
import { blobPath } from "../../src/providers/local-runtime/image/oci-layout.js";
import { sha256 } from "../../src/providers/local-runtime/image/digest.js";
import { MEDIA } from "../../src/providers/local-runtime/image/image-types.js";
import { tarEntry } from "../../src/providers/local-runtime/image/tar-entry.js";
import { writeTar } from "../../src/providers/local-runtime/image/tar-writer.js";

t.test("busybox: oci dir, oci tar, oci tar.gz and docker archive all round-trip", async (t) => {
  const dir = t.testdir({});
  const src = await storeIn(join(dir, "src"));
  const bb = await src.mustResolve("busybox");
  for (const [format, out] of [["oci", "layout"], ["oci", "bb.tar"], ["oci", "bb.tar.gz"], ["docker", "bb-docker.tar"]] as const) {
    const target = join(dir, out);
    const r = await exportImages(src, ["busybox"], { format, output: target });
    t.same(r.images, [{ digest: bb.digest, names: ["localhost/busybox:latest"] }], `${format} ${out}: what was exported`);
    t.equal(r.kind, out.includes(".tar") ? "tar" : "directory");
    const dst = await storeIn(join(dir, `dst-${out}`));
    const imp = await importImageArchive(dst, target);
    t.equal(imp.images.length, 1);
    t.equal(imp.images[0]!.digest, bb.digest, `${out}: same manifest digest`);
    t.equal(imp.images[0]!.id, bb.id, `${out}: same config digest`);
    t.same(imp.images[0]!.names, ["localhost/busybox:latest"]);
    t.equal(imp.newBlobs, 3, "manifest, config and layer stored");
    const rec = await dst.mustResolve("localhost/busybox:latest");
    t.same(rec.manifest, bb.manifest);
    const [lower] = await dst.layerDirs(rec);
    t.ok((await stat(join(lower!, "bin/busybox"))).isFile(), `${out}: the layer unpacks`);
  }
});

t.test("docker archive: Docker ≥ 25 layout, deterministic bytes", async (t) => {
  const dir = t.testdir({});
  const s = await storeIn(dir);
  const bb = await s.mustResolve("busybox");
  await s.tag("reg.example:5000/tools/bb:1", bb.digest);
  await exportImages(s, ["busybox", "reg.example:5000/tools/bb:1"], { format: "docker", output: join(dir, "a.tar") });
  await exportImages(s, ["busybox", "reg.example:5000/tools/bb:1"], { format: "docker", output: join(dir, "b.tar") });
  const a = await readFile(join(dir, "a.tar"));
  t.ok(a.equals(await readFile(join(dir, "b.tar"))), "same images, same bytes");
  const files = new Map([...readTar(a)].filter((e) => e.type === "file").map((e) => [e.path, Buffer.from(e.data!)]));
  t.same([...files.keys()].filter((p) => !p.startsWith("blobs/")), ["oci-layout", "index.json", "manifest.json"]);
  const manifestJson = JSON.parse(files.get("manifest.json")!.toString());
  t.same(manifestJson, [{
    Config: `blobs/sha256/${bb.id.slice(7)}`,
    RepoTags: ["localhost/busybox:latest", "reg.example:5000/tools/bb:1"],
    Layers: bb.manifest.layers.map((l) => `blobs/sha256/${l.digest.slice(7)}`),
  }], "one image, both names");
  const index = JSON.parse(files.get("index.json")!.toString());
  t.equal(index.manifests.length, 2, "one index entry per name");
  t.same(index.manifests.map((m: { annotations: Record<string, string> }) => m.annotations["org.opencontainers.image.ref.name"]), ["latest", "1"]);
  for (const [p, data] of files) if (p.startsWith("blobs/")) t.equal(`sha256:${createHash("sha256").update(data).digest("hex")}`, `sha256:${p.slice(13)}`, `${p} holds its digest`);

  const dst = await storeIn(join(dir, "dst"));
  const imp = await importImageArchive(dst, join(dir, "a.tar"));
  t.same(imp.images.map((i) => i.names), [["localhost/busybox:latest", "reg.example:5000/tools/bb:1"]]);
  await t.rejects(exportImages(s, ["scratch"], { format: "oci", output: join(dir, "s") }), { code: "INFRA_IMAGE_EXPORT_SCRATCH" });
  await t.rejects(exportImages(s, ["nothere"], { format: "oci", output: join(dir, "n") }), { code: "INFRA_RUNTIME_IMAGE_NOT_FOUND" });
  await t.rejects(exportImages(s, ["busybox"], { format: "docker", output: join(dir, "d"), directory: true }), { code: "INFRA_IMAGE_EXPORT_FORMAT" });
  await t.rejects(exportImages(s, ["busybox"], { format: "oci", output: join(dir, "dst") }), { code: "INFRA_IMAGE_EXPORT_TARGET_EXISTS" }, "a non-empty directory is not overwritten");
});

t.test("an image asked for by id is exported without a name and imported under the file's name", async (t) => {
  const dir = t.testdir({});
  const s = await storeIn(dir);
  const img = buildImage([simpleLayer()], { gzip: true });
  await s.putBlob(img.config);
  for (const l of img.layers) await s.putBlob(l.bytes);
  const rec = await s.addManifestBytes(img.manifestBytes, ["localhost/gz:1"]);
  const r = await exportImages(s, [rec.id.slice(7, 19)], { format: "oci", output: join(dir, "by-id.tar.gz") });
  t.same(r.images[0]!.names, []);
  const tar = gunzipSync(await readFile(join(dir, "by-id.tar.gz")));
  const index = JSON.parse(Buffer.from([...readTar(tar)].find((e) => e.path === "index.json")!.data!).toString());
  t.same(index.manifests, [{ mediaType: MEDIA.ociManifest, digest: rec.digest, size: img.manifestBytes.length }]);
  const dst = await storeIn(join(dir, "dst"));
  const imp = await importImageArchive(dst, join(dir, "by-id.tar.gz"));
  t.same(imp.images[0]!.names, [`localhost/by-id@${rec.digest}`]);
  t.equal((await dst.mustResolve(`localhost/by-id@${rec.digest}`)).digest, rec.digest, "gzip layers keep their digest");
  const tagged = await importImageArchive(dst, join(dir, "by-id.tar.gz"), { tags: ["app:7"] });
  t.same(tagged.images[0]!.names, ["localhost/app:7"]);
  t.equal(tagged.newBlobs, 0, "nothing written twice");
  const [lower] = await dst.layerDirs(await dst.mustResolve("app:7"));
  t.equal(await readFile(join(lower!, "etc/hello"), "utf8"), "hi\n");
});

t.test("a legacy docker archive: manifest synthesised, symlinked duplicate layers followed", async (t) => {
  const dir = t.testdir({});
  const img = buildImage([simpleLayer("a", "A"), [tarEntry("etc", "dir"), tarEntry("etc/b", "file", { data: Buffer.from("B") })]]);
  const [l1, l2] = img.layers;
  const files = [
    tarEntry("aaaa", "dir"),
    tarEntry("aaaa/layer.tar", "file", { data: l1!.bytes }),
    tarEntry("bbbb", "dir"),
    tarEntry("bbbb/layer.tar", "symlink", { linkname: "../cccc.tar" }),
    tarEntry("cccc.tar", "file", { data: l2!.bytes }),
    tarEntry("cfg.json", "file", { data: img.config }),
    tarEntry("manifest.json", "file", { data: Buffer.from(JSON.stringify([{ Config: "cfg.json", RepoTags: ["legacy:1", "docker.io/library/legacy:1"], Layers: ["aaaa/layer.tar", "bbbb/layer.tar"] }])) }),
    tarEntry("repositories", "file", { data: Buffer.from("{}") }),
  ];
  await writeFile(join(dir, "legacy.tar"), writeTar(files));
  const s = await storeIn(join(dir, "s"));
  const imp = await importImageArchive(s, join(dir, "legacy.tar"));
  t.equal(imp.images[0]!.format, "docker-archive");
  t.same(imp.images[0]!.names, ["localhost/legacy:1", "docker.io/library/legacy:1"]);
  t.equal(imp.images[0]!.digest, img.manifest.digest, "the synthesised manifest is the canonical one for these blobs");
  const again = await importImageArchive(await storeIn(join(dir, "s2")), join(dir, "legacy.tar"));
  t.equal(again.images[0]!.digest, imp.images[0]!.digest, "deterministic");
  const dirs = await s.layerDirs(await s.mustResolve("legacy:1"));
  t.equal(await readFile(join(dirs[0]!, "etc/b"), "utf8"), "B");
  t.equal(await readFile(join(dirs[1]!, "etc/a"), "utf8"), "A");
});

t.test("a multi-platform archive (Docker ≥ 25 with the containerd store): the host's platform whose blobs are present", async (t) => {
  const dir = t.testdir({});
  const amd = buildImage([simpleLayer("arch", "amd64")]);
  const arm = buildImage([simpleLayer("arch", "arm64")]);
  const entry = (img: typeof amd, architecture: string) => ({ ...img.manifest, platform: { os: "linux", architecture } });
  const attestation = { mediaType: MEDIA.ociManifest, digest: sha256("att"), size: 3, platform: { os: "unknown", architecture: "unknown" } };
  const nested = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MEDIA.ociIndex, manifests: [entry(arm, "arm64"), entry(amd, "amd64"), attestation] }));
  const nestedDesc = { mediaType: MEDIA.ociIndex, digest: sha256(nested), size: nested.length };
  // Only the amd64 image's blobs were saved, as Docker does for a single-platform pull.
  const files = [
    ...amd.blobs,
    { path: blobPath(nestedDesc.digest), data: nested },
    { path: "oci-layout", data: Buffer.from('{"imageLayoutVersion":"1.0.0"}') },
    { path: "index.json", data: Buffer.from(JSON.stringify({ schemaVersion: 2, manifests: [{ ...nestedDesc, annotations: { "io.containerd.image.name": "docker.io/library/multi:1", "org.opencontainers.image.ref.name": "1" } }] })) },
    { path: "manifest.json", data: Buffer.from(JSON.stringify([{ Config: blobPath(sha256(amd.config)), RepoTags: ["multi:1"], Layers: amd.blobs.slice(2).map((b) => b.path) }])) },
  ];
  const s = await storeIn(dir);
  const imp = await importImageBytes(s, "multi.tar", layoutTar(files), { platform: { os: "linux", architecture: "amd64" } });
  t.same(imp.images.map((i) => [i.digest, i.names]), [[amd.manifest.digest, ["localhost/multi:1"]]], "manifest.json's RepoTags name the image the index resolved to");
  const [lower] = await s.layerDirs(await s.mustResolve("multi:1"));
  t.equal(await readFile(join(lower!, "etc/arch"), "utf8"), "amd64");
  const before = await storeSnapshot(s);
  await t.rejects(importImageBytes(s, "multi.tar", layoutTar(files), { platform: { os: "linux", architecture: "riscv64" } }), { code: "INFRA_IMAGE_NO_MATCHING_PLATFORM", hint: /linux\/arm64, linux\/amd64, unknown\/unknown/ });
  await t.rejects(importImageBytes(s, "multi.tar", layoutTar(files.filter((f) => f.path !== blobPath(amd.manifest.digest))), { platform: { os: "linux", architecture: "amd64" } }), { code: "INFRA_IMAGE_NO_MATCHING_PLATFORM" }, "a platform listed but not saved");
  t.same(await storeSnapshot(s), before);
});
