/**
 * Archives that must be refused, each with its own code, and with the store exactly as it was:
 * no blob, no name. Covers the outer archive (paths, links, JSON, digests) and the layers.
 */
import t from "tap";
import { mkdir, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { sha256 } from "../../src/providers/local-runtime/image/digest.js";
import { importImageArchive, importImageBytes } from "../../src/providers/local-runtime/image/image-import.js";
import { MEDIA } from "../../src/providers/local-runtime/image/image-types.js";
import { layoutTar, writeLayoutDir } from "../../src/providers/local-runtime/image/image-export.js";
import { blobPath, type LayoutFile } from "../../src/providers/local-runtime/image/oci-layout.js";
import { tarEntry } from "../../src/providers/local-runtime/image/tar-entry.js";
import { writeTar } from "../../src/providers/local-runtime/image/tar-writer.js";
import { buildImage, layoutFiles, rawTar, simpleLayer, storeIn, storeSnapshot, type BuiltImage } from "./fixtures.js";

const good = buildImage([simpleLayer()]);
const goodFiles = layoutFiles([{ img: good, names: ["localhost/good:1"] }]);

function replace(files: LayoutFile[], path: string, data: Uint8Array | undefined): LayoutFile[] {
  const out = files.filter((f) => f.path !== path);
  return data === undefined ? out : [...out, { path, data }];
}

/** A valid image whose manifest was altered after the fact (digests recomputed so only `change` is wrong). */
function withManifest(img: BuiltImage, change: (m: Record<string, unknown>) => void, extraBlobs: LayoutFile[] = []): LayoutFile[] {
  const m = JSON.parse(img.manifestBytes.toString()) as Record<string, unknown>;
  change(m);
  const bytes = Buffer.from(JSON.stringify(m));
  const manifest = { mediaType: MEDIA.ociManifest, digest: sha256(bytes), size: bytes.length };
  const fake = { ...img, manifest, manifestBytes: bytes, blobs: [{ path: blobPath(manifest.digest), data: bytes }, ...img.blobs.slice(1), ...extraBlobs] };
  return layoutFiles([{ img: fake, names: ["localhost/bad:1"] }]);
}

function configWith(img: BuiltImage, change: (c: Record<string, unknown>) => void): { files: LayoutFile[] } {
  const c = JSON.parse(img.config.toString()) as Record<string, unknown>;
  change(c);
  const config = Buffer.from(JSON.stringify(c));
  return {
    files: withManifest(img, (m) => { m.config = { mediaType: MEDIA.ociConfig, digest: sha256(config), size: config.length }; }, [{ path: blobPath(sha256(config)), data: config }]),
  };
}

const evilLayer = buildImage([[tarEntry("etc", "dir"), tarEntry("../../escape", "file", { data: Buffer.from("x") })]]);
const absLayer = buildImage([[tarEntry("/etc/passwd", "file", { data: Buffer.from("x") })]]);
const linkLayer = buildImage([[tarEntry("etc", "dir"), tarEntry("etc/shadow", "hardlink", { linkname: "../../../etc/shadow" })]]);
const second = buildImage([simpleLayer("other", "other")], { cmd: ["other"] });

const cases: Array<{ name: string; archive: () => Buffer; code: string; message?: RegExp }> = [
  { name: "not a tar", archive: () => Buffer.from("hello, this is not an archive".repeat(40)), code: "INFRA_IMAGE_ARCHIVE_MALFORMED", message: /not a readable tar|not a tar/ },
  { name: "damaged gzip", archive: () => gzipSync(layoutTar(goodFiles)).subarray(0, 200), code: "INFRA_IMAGE_ARCHIVE_MALFORMED", message: /gzip/ },
  { name: "neither index.json nor manifest.json", archive: () => rawTar([{ path: "hello.txt", data: "hi" }]), code: "INFRA_IMAGE_ARCHIVE_MALFORMED", message: /neither index.json/ },
  { name: "path traversal in the archive", archive: () => rawTar([{ path: "../../evil", data: "x" }, ...goodFiles]), code: "INFRA_IMAGE_ARCHIVE_MALFORMED", message: /'\.\.'/ },
  { name: "absolute path in the archive", archive: () => rawTar([{ path: "/etc/evil", data: "x" }, ...goodFiles]), code: "INFRA_IMAGE_ARCHIVE_MALFORMED", message: /absolute/ },
  { name: "symlink out of the archive", archive: () => rawTar([...replace(goodFiles, "index.json", undefined), { path: "index.json", type: "symlink", linkname: "../../../etc/passwd" }]), code: "INFRA_IMAGE_ARCHIVE_MALFORMED", message: /outside the archive/ },
  { name: "absolute symlink", archive: () => rawTar([...replace(goodFiles, "index.json", undefined), { path: "index.json", type: "symlink", linkname: "/etc/passwd" }]), code: "INFRA_IMAGE_ARCHIVE_MALFORMED", message: /absolute path/ },
  { name: "symlink loop", archive: () => rawTar([...replace(goodFiles, "index.json", undefined), { path: "index.json", type: "symlink", linkname: "a" }, { path: "a", type: "symlink", linkname: "index.json" }]), code: "INFRA_IMAGE_ARCHIVE_MALFORMED", message: /too many levels/ },
  { name: "device node in the archive", archive: () => rawTar([...goodFiles, { path: "dev", type: "char" }]), code: "INFRA_IMAGE_ARCHIVE_MALFORMED", message: /char/ },
  { name: "duplicate path", archive: () => rawTar([...goodFiles, { path: "index.json", data: "{}" }]), code: "INFRA_IMAGE_ARCHIVE_MALFORMED", message: /twice/ },
  { name: "index.json not JSON", archive: () => layoutTar(replace(goodFiles, "index.json", Buffer.from("{nope"))), code: "INFRA_IMAGE_ARCHIVE_MALFORMED", message: /not valid JSON/ },
  { name: "index.json without manifests", archive: () => layoutTar(replace(goodFiles, "index.json", Buffer.from('{"schemaVersion":2}'))), code: "INFRA_IMAGE_ARCHIVE_MALFORMED", message: /no "manifests"/ },
  { name: "missing oci-layout", archive: () => layoutTar(replace(goodFiles, "oci-layout", undefined)), code: "INFRA_IMAGE_ARCHIVE_MALFORMED", message: /oci-layout is missing/ },
  { name: "layout version 2", archive: () => layoutTar(replace(goodFiles, "oci-layout", Buffer.from('{"imageLayoutVersion":"2.0.0"}'))), code: "INFRA_IMAGE_ARCHIVE_MALFORMED" },
  { name: "missing layer blob", archive: () => layoutTar(replace(goodFiles, blobPath(good.layers[0]!.desc.digest), undefined)), code: "INFRA_IMAGE_BLOB_MISSING" },
  { name: "missing manifest blob", archive: () => layoutTar(replace(goodFiles, blobPath(good.manifest.digest), undefined)), code: "INFRA_IMAGE_BLOB_MISSING" },
  { name: "altered layer (digest mismatch)", archive: () => {
    const bytes = Buffer.from(good.layers[0]!.bytes);
    bytes[600] = bytes[600]! ^ 0xff;
    return layoutTar(replace(goodFiles, blobPath(good.layers[0]!.desc.digest), bytes));
  }, code: "INFRA_IMAGE_DIGEST_MISMATCH", message: /should have the digest/ },
  { name: "truncated config (size mismatch)", archive: () => layoutTar(replace(goodFiles, blobPath(sha256(good.config)), good.config.subarray(0, 10))), code: "INFRA_IMAGE_DIGEST_MISMATCH", message: /bytes, its descriptor says/ },
  { name: "diff_id mismatch", archive: () => layoutTar(configWith(good, (c) => { c.rootfs = { type: "layers", diff_ids: [sha256("other")] }; }).files), code: "INFRA_IMAGE_DIGEST_MISMATCH", message: /uncompresses to/ },
  { name: "diff_ids count mismatch", archive: () => layoutTar(configWith(good, (c) => { c.rootfs = { type: "layers", diff_ids: [] }; }).files), code: "INFRA_IMAGE_ARCHIVE_MALFORMED", message: /lists 0 layer ids but the manifest has 1/ },
  { name: "config without os", archive: () => layoutTar(configWith(good, (c) => { delete c.os; }).files), code: "INFRA_IMAGE_ARCHIVE_MALFORMED", message: /"os"/ },
  { name: "zstd layer", archive: () => layoutTar(withManifest(good, (m) => { (m.layers as Array<{ mediaType: string }>)[0]!.mediaType = "application/vnd.oci.image.layer.v1.tar+zstd"; })), code: "INFRA_IMAGE_UNSUPPORTED_LAYER" },
  { name: "artifact, not an image", archive: () => layoutTar(withManifest(good, (m) => { (m.config as { mediaType: string }).mediaType = "application/vnd.cncf.helm.config.v1+json"; })), code: "INFRA_IMAGE_UNSUPPORTED" },
  { name: "schema 1 manifest", archive: () => layoutTar(withManifest(good, (m) => { m.schemaVersion = 1; })), code: "INFRA_IMAGE_UNSUPPORTED" },
  { name: "layer escaping with ..", archive: () => layoutTar(layoutFiles([{ img: evilLayer, names: ["localhost/evil:1"] }])), code: "INFRA_IMAGE_LAYER_UNSAFE", message: /'\.\.'/ },
  { name: "layer with an absolute path", archive: () => layoutTar(layoutFiles([{ img: absLayer, names: ["localhost/evil:1"] }])), code: "INFRA_IMAGE_LAYER_UNSAFE", message: /absolute/ },
  { name: "layer hardlink out of the root", archive: () => layoutTar(layoutFiles([{ img: linkLayer, names: ["localhost/evil:1"] }])), code: "INFRA_IMAGE_LAYER_UNSAFE" },
  { name: "a good image beside a bad one", archive: () => {
    const files = layoutFiles([{ img: second, names: ["localhost/second:1"] }, { img: good, names: ["localhost/good:1"] }]);
    return layoutTar(replace(files, blobPath(good.layers[0]!.desc.digest), undefined));
  }, code: "INFRA_IMAGE_BLOB_MISSING" },
  { name: "bad name in RepoTags", archive: () => rawTar([
    { path: "cfg.json", data: good.config }, { path: "l.tar", data: good.layers[0]!.bytes },
    { path: "manifest.json", data: JSON.stringify([{ Config: "cfg.json", RepoTags: ["Not A Name"], Layers: ["l.tar"] }]) },
  ]), code: "INFRA_RUNTIME_BAD_IMAGE_REF" },
  { name: "docker manifest.json pointing outside", archive: () => rawTar([
    { path: "l.tar", data: good.layers[0]!.bytes },
    { path: "manifest.json", data: JSON.stringify([{ Config: "../../../etc/passwd", RepoTags: [], Layers: ["l.tar"] }]) },
  ]), code: "INFRA_IMAGE_ARCHIVE_MALFORMED", message: /'\.\.'/ },
  { name: "docker archive with a missing layer", archive: () => rawTar([
    { path: "cfg.json", data: good.config },
    { path: "manifest.json", data: JSON.stringify([{ Config: "cfg.json", RepoTags: ["x:1"], Layers: ["gone.tar"] }]) },
  ]), code: "INFRA_IMAGE_BLOB_MISSING", message: /layer 1 of image 1/ },
  { name: "docker archive whose layer does not match diff_ids", archive: () => rawTar([
    { path: "cfg.json", data: good.config }, { path: "l.tar", data: writeTar(simpleLayer("changed")) },
    { path: "manifest.json", data: JSON.stringify([{ Config: "cfg.json", RepoTags: ["x:1"], Layers: ["l.tar"] }]) },
  ]), code: "INFRA_IMAGE_DIGEST_MISMATCH" },
];

t.test("malformed archives are refused and store nothing", async (t) => {
  const dir = t.testdir({});
  const s = await storeIn(dir);
  // Something already there, to show that a refused import neither adds nor removes.
  await s.putBlob(Buffer.from("unrelated"));
  const before = await storeSnapshot(s);
  t.ok(cases.length >= 30, "a corpus of malformed archives");
  for (const c of cases) {
    await t.rejects(importImageBytes(s, `${c.name}.tar`, c.archive()), { code: c.code, ...(c.message ? { message: c.message } : {}) }, c.name);
    t.same(await storeSnapshot(s), before, `${c.name}: nothing stored`);
  }
  const ok = await importImageBytes(s, "good.tar", layoutTar(goodFiles));
  t.same(ok.images[0]!.names, ["localhost/good:1"], "the corpus's base archive is itself valid");
});

t.test("directory layouts: missing directory, symlinks inside and out", async (t) => {
  const dir = t.testdir({});
  const s = await storeIn(join(dir, "s"));
  const before = await storeSnapshot(s);
  await t.rejects(importImageArchive(s, join(dir, "nothere")), { code: "INFRA_IMAGE_ARCHIVE_NOT_FOUND", category: "NotFound" });
  const layout = join(dir, "layout");
  await writeLayoutDir(layout, replace(goodFiles, "index.json", undefined));
  await symlink("/etc/hostname", join(layout, "index.json"));
  await t.rejects(importImageArchive(s, layout), { code: "INFRA_IMAGE_ARCHIVE_MALFORMED", message: /absolute path/ });
  const outside = join(dir, "outside");
  await mkdir(outside);
  await writeFile(join(outside, "index.json"), "{}");
  const layout2 = join(dir, "layout2");
  await writeLayoutDir(layout2, replace(goodFiles, "index.json", undefined));
  await symlink("../outside/index.json", join(layout2, "index.json"));
  await t.rejects(importImageArchive(s, layout2), { code: "INFRA_IMAGE_ARCHIVE_MALFORMED", message: /outside the archive/ });
  t.same(await storeSnapshot(s), before, "nothing stored");
  // A symlink that stays inside the layout is fine (some tools link blobs).
  const layout3 = join(dir, "layout3");
  await writeLayoutDir(layout3, [...replace(goodFiles, "index.json", undefined), { path: "real-index.json", data: goodFiles.find((f) => f.path === "index.json")!.data }]);
  await symlink("real-index.json", join(layout3, "index.json"));
  t.same((await importImageArchive(s, layout3)).images[0]!.names, ["localhost/good:1"]);
});

t.test("a write failing half-way removes the blobs this import added", async (t) => {
  const dir = t.testdir({});
  const s = await storeIn(dir);
  await s.putBlob(good.config); // already there: must survive the rollback
  const before = await storeSnapshot(s);
  let writes = 0;
  const failing = Object.assign(Object.create(Object.getPrototypeOf(s) as object) as typeof s, s, {
    async putBlob(data: Uint8Array) {
      if (++writes === 2) throw new Error("disk full");
      return s.putBlob(data);
    },
  });
  await t.rejects(importImageBytes(failing, "two.tar", layoutTar(layoutFiles([{ img: second, names: ["localhost/second:1"] }, { img: good, names: ["localhost/good:1"] }]))), { message: "disk full" });
  t.equal(writes, 2, "one blob was written before the failure");
  t.same(await storeSnapshot(s), before, "it was removed again; the existing config stayed");
});
