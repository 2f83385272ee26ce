import t from "tap";
import { lstat, mkdir, readFile, readdir, stat, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { execFileSync } from "node:child_process";
import { extractLayer } from "../../src/providers/local-runtime/image/safe-extract.js";
import { tarEntry, type TarEntry } from "../../src/providers/local-runtime/image/tar-entry.js";
import { writeTar } from "../../src/providers/local-runtime/image/tar-writer.js";
import { readTar } from "../../src/providers/local-runtime/image/tar-reader.js";
import { HostHelper } from "../../src/providers/local-runtime/host/host-helper.js";

const helper = HostHelper.required();
t.teardown(() => helper.close());

/** A GNU long-name ('L') record followed by the real header, built by hand. */
function gnuLongName(name: string, real: TarEntry): Buffer {
  const body = Buffer.from(name + "\0");
  const e = tarEntry("././@LongLink", "file", { data: body });
  const raw = writeTar([e]);
  raw[156] = "L".charCodeAt(0);
  let sum = 0;
  raw.fill(32, 148, 156);
  for (let i = 0; i < 512; i++) sum += raw[i]!;
  raw.write(sum.toString(8).padStart(6, "0") + "\0 ", 148, 8);
  const head = raw.subarray(0, 512 + Math.ceil(body.length / 512) * 512);
  return Buffer.concat([head, writeTar([real])]);
}

async function snapshotDir(dir: string): Promise<string> {
  const out: string[] = [];
  async function walk(d: string, rel: string) {
    for (const n of (await readdir(d)).sort()) {
      const p = join(d, n);
      const st = await lstat(p);
      out.push(`${rel}${n} ${st.mode.toString(8)} ${st.isFile() ? (await readFile(p, "utf8")) : ""}`);
      if (st.isDirectory()) await walk(p, `${rel}${n}/`);
    }
  }
  await walk(dir, "");
  return out.join("\n");
}

t.test("malicious archives never write outside the target", async (t) => {
  const base = t.testdir({});
  const outside = join(base, "outside");
  await mkdir(outside);
  await writeFile(join(outside, "secret"), "s3cret");
  await writeFile(join(outside, "victim"), "keep me");
  const before = await snapshotDir(outside);
  const f = (p: string, data = "pwned") => tarEntry(p, "file", { data: Buffer.from(data) });
  const corpus: Record<string, Buffer> = {
    "absolute path": writeTar([f(join(outside, "pwned-abs"))]),
    "dot-dot": writeTar([f("../outside/pwned")]),
    "dot-dot in the middle": writeTar([tarEntry("a", "dir"), f("a/../../outside/pwned")]),
    "symlink to .. then write through it": writeTar([tarEntry("l", "symlink", { linkname: ".." }), f("l/outside/pwned")]),
    "symlink to absolute dir then write through it": writeTar([tarEntry("l", "symlink", { linkname: outside }), f("l/pwned")]),
    "symlink chain": writeTar([tarEntry("b", "symlink", { linkname: "../.." }), tarEntry("a", "symlink", { linkname: "b" }), f("a/pwned")]),
    "hardlink with dot-dot": writeTar([tarEntry("h", "hardlink", { linkname: "../outside/secret" })]),
    "hardlink absolute": writeTar([tarEntry("h", "hardlink", { linkname: join(outside, "secret") })]),
    "hardlink through a symlink": writeTar([tarEntry("s", "symlink", { linkname: outside }), tarEntry("h", "hardlink", { linkname: "s/secret" })]),
    "hardlink to a directory": writeTar([tarEntry("d", "dir"), tarEntry("h", "hardlink", { linkname: "d" })]),
    "char device": writeTar([tarEntry("mem", "char", { devmajor: 1, devminor: 1 })]),
    "block device": writeTar([tarEntry("sda", "block", { devmajor: 8, devminor: 0 })]),
    "whiteout of ..": writeTar([tarEntry("a", "dir"), tarEntry("a/.wh...", "file")]),
    "whiteout through a symlink": writeTar([tarEntry("s", "symlink", { linkname: outside }), tarEntry("s/.wh.victim", "file")]),
    "opaque dir through a symlink": writeTar([tarEntry("s", "symlink", { linkname: outside }), tarEntry("s/.wh..wh..opq", "file")]),
    "PAX path with dot-dot": writeTar([f("../" + "x".repeat(120) + "/../outside/pwned")]),
    "GNU long name with dot-dot": gnuLongName("../outside/" + "y".repeat(120), f("short")),
    "directory entry with dot-dot": writeTar([tarEntry("../outside/newdir", "dir")]),
  };
  t.ok(Object.keys(corpus).length >= 15, "at least 15 malicious archives");
  for (const [name, tar] of Object.entries(corpus)) {
    const target = join(base, `target-${Object.keys(corpus).indexOf(name)}`);
    await mkdir(target);
    await t.rejects(extractLayer(tar, target, { helper }), { code: "INFRA_RUNTIME_TAR_UNSAFE" }, name);
    t.equal(await snapshotDir(outside), before, `${name}: outside untouched`);
  }
  const names = (await readdir(base)).filter((n) => !n.startsWith("target-"));
  t.same(names, ["outside"], "nothing created beside the targets");
});

t.test("a file entry replaces a symlink instead of writing through it", async (t) => {
  const base = t.testdir({ outside: { victim: "keep me" } });
  const target = join(base, "target");
  await mkdir(target);
  await extractLayer(writeTar([
    tarEntry("v", "symlink", { linkname: join(base, "outside", "victim") }),
    tarEntry("v", "file", { data: Buffer.from("mine") }),
  ]), target, { helper });
  t.equal(await readFile(join(base, "outside", "victim"), "utf8"), "keep me");
  t.equal(await readFile(join(target, "v"), "utf8"), "mine");
  t.ok((await lstat(join(target, "v"))).isFile());
});

t.test("regular content: modes, hardlinks, long names, GNU tar interop", async (t) => {
  const base = t.testdir({ src: { "short.txt": "hello" } });
  const longDir = "d".repeat(90) + "/" + "e".repeat(90);
  await mkdir(join(base, "src", longDir), { recursive: true });
  await writeFile(join(base, "src", longDir, "f".repeat(60)), "deep");
  await symlink("short.txt", join(base, "src", "link"));
  for (const format of ["gnu", "pax", "ustar"]) {
    if (format === "ustar") continue; // ustar cannot hold a 240-byte path
    const tar = execFileSync("tar", [`--format=${format}`, "-cf", "-", "-C", join(base, "src"), "."]);
    const names = [...readTar(tar)].map((e) => e.path);
    t.ok(names.some((n) => n.endsWith("f".repeat(60))), `${format}: long name read`);
    const target = join(base, `out-${format}`);
    await mkdir(target);
    await extractLayer(tar, target, { helper });
    t.equal(await readFile(join(target, longDir, "f".repeat(60)), "utf8"), "deep");
    t.equal(await readFile(join(target, "link"), "utf8"), "hello");
  }
  const target = join(base, "own");
  await mkdir(target);
  await extractLayer(writeTar([
    tarEntry("tmp", "dir", { mode: 0o1777 }),
    tarEntry("bin", "dir"),
    tarEntry("bin/tool", "file", { mode: 0o4755, data: Buffer.from("x"), uid: 33, gid: 33 }),
    tarEntry("bin/alias", "hardlink", { linkname: "bin/tool" }),
  ]), target, { helper });
  t.equal((await stat(join(target, "tmp"))).mode & 0o7777, 0o1777);
  const tool = await stat(join(target, "bin/tool"));
  t.equal(tool.mode & 0o7777, 0o4755);
  t.equal(tool.uid, 33);
  t.equal((await stat(join(target, "bin/alias"))).ino, tool.ino);
});

t.test("whiteouts and opaque dirs work under overlayfs", async (t) => {
  const base = t.testdir({ lower: { d: { old: "old" }, gone: "gone", kept: "kept" } });
  const upperLayer = join(base, "layer");
  await mkdir(upperLayer);
  const r = await extractLayer(writeTar([
    tarEntry("d", "dir"),
    tarEntry("d/.wh..wh..opq", "file"),
    tarEntry("d/new", "file", { data: Buffer.from("new") }),
    tarEntry(".wh.gone", "file"),
  ]), upperLayer, { helper });
  t.same(r.whiteouts, ["gone"]);
  t.same(r.opaqueDirs, ["d"]);
  const wh = await lstat(join(upperLayer, "gone"));
  t.ok(wh.isCharacterDevice() && wh.rdev === 0, "whiteout is a 0:0 char device");
  const merged = join(base, "merged");
  await mkdir(merged);
  execFileSync("mount", ["-t", "overlay", "overlay", "-o", `lowerdir=${upperLayer}:${join(base, "lower")}`, merged]);
  try {
    t.same((await readdir(merged)).sort(), ["d", "kept"]);
    t.same(await readdir(join(merged, "d")), ["new"], "opaque dir hides the lower content");
  } finally {
    execFileSync("umount", [merged]);
  }
});

t.test("infra-host's layer ops: the kernel refuses a symlink or a mount anywhere on the path", async (t) => {
  const base = t.testdir({ outside: { victim: "keep me", sub: {} }, root: { d: {}, m: {} } });
  const root = join(base, "root");
  const outside = join(base, "outside");
  await symlink(outside, join(root, "abs"));
  await symlink("../outside", join(root, "rel"));
  const before = await snapshotDir(outside);
  const mknod = (path: string, extra: Record<string, string | number> = {}) =>
    helper.request("layer-mknod", { root, path, type: "c", mode: "0", uid: 0, gid: 0, major: 0, minor: 0, ...extra });
  const xattr = (path: string) => helper.request("layer-xattr", { root, path, name: "user.pwned", value: "1" });
  // What Node's walk would refuse first: here nothing walks, the kernel alone decides.
  for (const p of ["abs/victim2", "rel/victim2", "abs/sub/x", "d/../abs/x"]) await t.rejects(mknod(p), p.includes("..") ? { message: /'\.\.'/ } : { code: "INFRA_RUNTIME_TAR_UNSAFE" }, `mknod ${p}`);
  for (const p of ["abs", "rel", "abs/sub"]) await t.rejects(xattr(p), { code: "INFRA_RUNTIME_TAR_UNSAFE" }, `xattr ${p}`);
  await t.rejects(mknod(join(outside, "x")), { message: /absolute/ }, "absolute path");
  execFileSync("mount", ["--bind", outside, join(root, "m")]);
  try {
    await t.rejects(mknod("m/x"), { code: "INFRA_RUNTIME_TAR_UNSAFE" }, "not across a mount inside the layer");
    await t.rejects(xattr("m/sub"), { code: "INFRA_RUNTIME_TAR_UNSAFE" });
  } finally {
    execFileSync("umount", [join(root, "m")]);
  }
  t.equal(await snapshotDir(outside), before, "outside untouched");
  // And inside: exact modes whatever the umask, owners, times, attributes.
  await mknod("d/wh");
  await mknod("d/fifo", { type: "p", mode: "0666", uid: 12, gid: 13, mtime: 1000 });
  await helper.request("layer-xattr", { root, path: "d", name: "user.note", value: "a value with spaces" });
  const wh = await lstat(join(root, "d/wh"));
  t.ok(wh.isCharacterDevice() && wh.rdev === 0 && (wh.mode & 0o7777) === 0, "whiteout: char 0:0, mode 0");
  const fifo = await lstat(join(root, "d/fifo"));
  t.same([fifo.isFIFO(), fifo.mode & 0o7777, fifo.uid, fifo.gid, fifo.mtimeMs], [true, 0o666, 12, 13, 1000_000]);
  const got = execFileSync("python3", ["-c", "import os,sys; print(os.getxattr(sys.argv[1], sys.argv[2]).decode())", join(root, "d"), "user.note"], { encoding: "utf8" });
  t.equal(got.trim(), "a value with spaces");
  await t.rejects(mknod("d/wh"), { code: "INFRA_HOST_LAYER_WRITE_FAILED", message: /File exists/ }, "never over an existing name");
});
