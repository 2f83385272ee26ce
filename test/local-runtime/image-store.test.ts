import t from "tap";
import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { resolveLayout } from "../../src/providers/local-runtime/layout.js";
import { ImageStore } from "../../src/providers/local-runtime/image/image-store.js";
import { MEDIA } from "../../src/providers/local-runtime/image/image-types.js";
import { normalizeImageName } from "../../src/providers/local-runtime/image/image-ref.js";
import { tarEntry } from "../../src/providers/local-runtime/image/tar-entry.js";
import { writeTar } from "../../src/providers/local-runtime/image/tar-writer.js";
import { gzipSync } from "node:zlib";

async function storeIn(dir: string) {
  const s = new ImageStore(resolveLayout({ root: join(dir, "root"), run: join(dir, "run") }));
  await s.init();
  return s;
}

t.test("image references", async (t) => {
  t.equal(normalizeImageName("busybox"), "localhost/busybox:latest");
  t.equal(normalizeImageName("localhost/app:1"), "localhost/app:1");
  t.equal(normalizeImageName("host:5000/team/app"), "host:5000/team/app:latest");
  t.throws(() => normalizeImageName("Bad Name"), { code: "INFRA_RUNTIME_BAD_IMAGE_REF" });
});

t.test("built-in busybox: reproducible digest, applets, users", async (t) => {
  const dir = t.testdir({});
  const a = await storeIn(join(dir, "a"));
  const b = await storeIn(join(dir, "b"));
  const ia = await a.mustResolve("busybox");
  const ib = await b.mustResolve("localhost/busybox:latest");
  t.equal(ia.digest, ib.digest, "same digest from two fresh stores");
  t.equal(ia.id, ib.id);
  t.same(ia.names, ["localhost/busybox:latest"]);
  const [lower] = await a.layerDirs(ia);
  t.ok(lower);
  const passwd = await readFile(join(lower!, "etc/passwd"), "utf8");
  for (const u of ["root", "daemon", "www-data", "nobody"]) t.match(passwd, new RegExp(`^${u}:`, "m"));
  const group = await readFile(join(lower!, "etc/group"), "utf8");
  for (const g of ["root", "daemon", "www-data"]) t.match(group, new RegExp(`^${g}:`, "m"));
  t.equal((await stat(join(lower!, "tmp"))).mode & 0o7777, 0o1777);
  t.equal((await stat(join(lower!, "bin/sh"))).ino, (await stat(join(lower!, "bin/busybox"))).ino, "applets hard-linked");
  t.ok((await stat(join(lower!, "usr/bin/wget"))).isFile());
  t.equal((await a.mustResolve(ia.id.slice(7, 19))).digest, ia.digest, "resolves by id prefix");
  t.same((await a.mustResolve("scratch")).config.rootfs.diff_ids, []);
  await t.rejects(a.mustResolve("nothere"), { category: "NotFound", code: "INFRA_RUNTIME_IMAGE_NOT_FOUND" });
});

t.test("layers unpack once per chain, rmi refuses an image in use, gc removes what is unreferenced", async (t) => {
  const s = await storeIn(t.testdir({}));
  const base = writeTar([tarEntry("etc", "dir"), tarEntry("etc/a", "file", { data: Buffer.from("a") })]);
  const top = writeTar([tarEntry("etc", "dir"), tarEntry("etc/.wh.a", "file"), tarEntry("etc/b", "file", { data: Buffer.from("b") })]);
  const cfg = { architecture: "amd64", os: "linux", config: { Cmd: ["sh"] } };
  const one = await s.addImage([{ blob: gzipSync(base), mediaType: MEDIA.ociLayerGzip }], cfg, ["localhost/one:1"]);
  const two = await s.addImage([{ blob: gzipSync(base), mediaType: MEDIA.ociLayerGzip }, { blob: top, mediaType: MEDIA.ociLayer }], cfg, ["localhost/two:1"]);
  const d1 = await s.layerDirs(one);
  const d2 = await s.layerDirs(two);
  t.equal(d2.length, 2);
  t.equal(d2[1], d1[0], "shared base layer unpacked once");
  t.equal((await readdir(s.layout.layersDir)).length, 2);
  await t.rejects(s.remove("localhost/one:1", { inUse: (id) => id === one.id }), { category: "Conflict", code: "INFRA_RUNTIME_IMAGE_IN_USE" });
  const r = await s.remove("localhost/two:1", { inUse: () => false });
  t.same(r.deleted, [two.id]);
  const g = await s.gc();
  t.equal(g.layers, 1, "the top layer goes");
  t.ok(g.blobs >= 3, "manifest, config and top layer blobs go");
  t.ok(await s.resolve("localhost/one:1"), "the other image stays");
  t.same(await s.layerDirs(one), d1);
});

t.test("parsed records are cached per manifest digest, handed out as copies; another writer's tags are seen", async (t) => {
  const dir = t.testdir({});
  const engineSide = await storeIn(dir);
  const cliSide = await storeIn(dir); // another process (infra tag, pull) writing the same store
  const a = await engineSide.mustResolve("busybox");
  a.config.config!.Env = ["CHANGED=1"];
  a.manifest.layers.length = 0;
  const b = await engineSide.mustResolve("busybox");
  t.not(b.config.config?.Env?.[0], "CHANGED=1", "a caller's change does not reach the next caller");
  t.equal(b.manifest.layers.length, 1);
  await cliSide.tag("localhost/other:1", b.digest);
  const c = await engineSide.mustResolve("localhost/other:1");
  t.equal(c.digest, b.digest, "a tag written by another store is found");
  t.same(c.names.sort(), ["localhost/busybox:latest", "localhost/other:1"]);
});
