/**
 * A corpus of hostile layers, built here byte by byte (no fixture files): traversal, absolute paths,
 * symlink and hardlink escapes, a directory replaced by a symlink before and after every kind of
 * entry that infra-host writes (whiteout, opaque whiteout, fifo, xattr directory, device), whiteout
 * tricks, duplicates, huge and truncated sizes, PAX and GNU long-name overrides, bombs. Each case
 * says what must happen: refused with a TAR_* code, or unpacked with the layer as `check` expects.
 * Escapes aim at a canary directory outside the layer, by absolute path (so they reach it from any
 * layer directory, the image store's included).
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { lstat, mkdir, readdir, readFile, readlink, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { createGzip, gzipSync } from "node:zlib";
import type { TarLimits } from "../../src/providers/local-runtime/image/tar-limits.js";
import { tarEntry, type TarEntry } from "../../src/providers/local-runtime/image/tar-entry.js";
import { writeTar } from "../../src/providers/local-runtime/image/tar-writer.js";

export type Expect = { refused: string } | { unpacked: (root: string) => Promise<string | undefined> };

export interface MaliciousCase {
  name: string;
  /** The layer as stored: a tar, or a gzip'd tar. */
  layer: Buffer;
  expect: Expect;
  /** Limits lowered for this case (bombs at a size a test can afford). */
  limits?: Partial<TarLimits>;
}

// ---- raw tar pieces: headers a well-behaved writer would never produce ----

const BLOCK = 512;

function pad(b: Buffer): Buffer {
  return Buffer.concat([b, Buffer.alloc((BLOCK - (b.length % BLOCK)) % BLOCK)]);
}

interface RawHeader {
  name: string;
  type: string;
  size?: number;
  /** Write the size in GNU base-256 (for sizes that do not fit 11 octal digits). */
  base256?: boolean;
  mode?: number;
  linkname?: string;
}

/** One ustar header block with a correct checksum, whatever its fields say. */
export function rawHeader(h: RawHeader): Buffer {
  const b = Buffer.alloc(BLOCK);
  b.write(h.name, 0, 100, "utf8");
  b.write(`${(h.mode ?? 0o644).toString(8).padStart(7, "0")}\0`, 100);
  b.write("0000000\0", 108);
  b.write("0000000\0", 116);
  const size = h.size ?? 0;
  if (h.base256) {
    b[124] = 0x80;
    let v = BigInt(size);
    for (let i = 135; i > 124; i--) {
      b[i] = Number(v & 0xffn);
      v >>= 8n;
    }
  } else b.write(`${size.toString(8).padStart(11, "0")}\0`, 124);
  b.write("00000000000\0", 136);
  b.fill(32, 148, 156);
  b.write(h.type, 156, 1, "latin1");
  b.write(h.linkname ?? "", 157, 100, "utf8");
  b.write("ustar\0", 257);
  b.write("00", 263);
  let sum = 0;
  for (const x of b) sum += x;
  b.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148);
  return b;
}

function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  let len = Buffer.byteLength(body) + 1;
  while (String(len).length + Buffer.byteLength(body) !== len) len = String(len).length + Buffer.byteLength(body);
  return `${len}${body}`;
}

/** A PAX extended header ('x', or 'g' for global) carrying `records`. */
export function pax(records: Record<string, string>, type: "x" | "g" = "x"): Buffer {
  const data = Buffer.from(Object.entries(records).map(([k, v]) => paxRecord(k, v)).join(""));
  return Buffer.concat([rawHeader({ name: "PaxHeader", type, size: data.length }), pad(data)]);
}

/** A GNU long name ('L') or long link name ('K') record. */
export function gnuLong(type: "L" | "K", name: string): Buffer {
  const data = Buffer.from(`${name}\0`);
  return Buffer.concat([rawHeader({ name: "././@LongLink", type, size: data.length }), pad(data)]);
}

const END = Buffer.alloc(BLOCK * 2);

/** Entries from the project's writer, without their end marker (to splice raw pieces after them). */
function entries(list: TarEntry[]): Buffer {
  const t = writeTar(list);
  return t.subarray(0, t.length - END.length);
}

const file = (path: string, data = "pwned", extra: Partial<TarEntry> = {}) => tarEntry(path, "file", { data: Buffer.from(data), ...extra });
const dir = (path: string, extra: Partial<TarEntry> = {}) => tarEntry(path, "dir", extra);
const sym = (path: string, linkname: string) => tarEntry(path, "symlink", { linkname });
const hard = (path: string, linkname: string) => tarEntry(path, "hardlink", { linkname });

/** Text that does not compress (hex of a hash chain), the same every run. */
function noise(n: number): string {
  let out = "";
  for (let h = "seed"; out.length < n; ) out += h = createHash("sha256").update(h).digest("hex");
  return out.slice(0, n);
}

/** A gzip'd layer of one file of `bytes` zeros (a thousandth of that gzip'd at level 9, a 200th at 1), and its diff_id. */
export async function gzipBomb(bytes: number, level = 9): Promise<{ gz: Buffer; diffId: string }> {
  const gz = createGzip({ level });
  const hash = createHash("sha256");
  const out: Buffer[] = [];
  gz.on("data", (c: Buffer) => out.push(c));
  const done = new Promise((r) => gz.on("end", r));
  const feed = async (b: Buffer) => {
    hash.update(b);
    if (!gz.write(b)) await new Promise((r) => gz.once("drain", r));
  };
  await feed(rawHeader({ name: "bomb", type: "0", size: bytes }));
  const zeros = Buffer.alloc(1024 * 1024);
  for (let left = bytes; left > 0; left -= zeros.length) await feed(left >= zeros.length ? zeros : zeros.subarray(0, left));
  await feed(Buffer.concat([Buffer.alloc((BLOCK - (bytes % BLOCK)) % BLOCK), END]));
  gz.end();
  await done;
  return { gz: Buffer.concat(out), diffId: `sha256:${hash.digest("hex")}` };
}

// ---- the canary: what must stay exactly as it was ----

/** Files, a fifo, a directory and symlinks outside every layer, for the corpus to aim at. */
export async function makeCanary(path: string): Promise<void> {
  await mkdir(join(path, "sub"), { recursive: true });
  await writeFile(join(path, "victim"), "keep me\n");
  await writeFile(join(path, "secret"), "s3cret\n", { mode: 0o600 });
  await writeFile(join(path, "sub", "inner"), "inner\n");
  execFileSync("mkfifo", ["-m", "0640", join(path, "fifo")]);
  await symlink("victim", join(path, "link"));
  await symlink("/nonexistent-target", join(path, "dangling"));
}

/** Every name under `path` with its full lstat (ctime catches chmod, chown, xattrs and links) and content. */
export async function snapshotTree(path: string): Promise<string> {
  const out: string[] = [];
  const visit = async (p: string, rel: string): Promise<void> => {
    const st = await lstat(p, { bigint: true });
    let content = "";
    if (st.isFile()) content = createHash("sha256").update(await readFile(p)).digest("hex");
    else if (st.isSymbolicLink()) content = `-> ${await readlink(p)}`;
    out.push(`${rel} mode=${st.mode.toString(8)} ${st.uid}:${st.gid} size=${st.size} nlink=${st.nlink} rdev=${st.rdev} ino=${st.ino} mtime=${st.mtimeNs} ctime=${st.ctimeNs} ${content}`);
    if (st.isDirectory()) for (const n of (await readdir(p)).sort()) await visit(join(p, n), `${rel}/${n}`);
  };
  await visit(path, ".");
  return out.join("\n");
}

// ---- checks of a layer unpacked "safely" ----

async function kind(p: string): Promise<string> {
  const st = await lstat(p).catch(() => undefined);
  if (st === undefined) return "missing";
  return st.isSymbolicLink() ? "symlink" : st.isDirectory() ? "dir" : st.isFile() ? "file" : st.isFIFO() ? "fifo" : st.isCharacterDevice() ? `char ${st.rdev}` : "other";
}

/** undefined when every path has the kind given, else what differs. */
function kinds(want: Record<string, string>): (root: string) => Promise<string | undefined> {
  return async (root) => {
    const bad: string[] = [];
    for (const [p, k] of Object.entries(want)) {
      const got = await kind(join(root, p));
      if (got !== k) bad.push(`${p}: ${got}, want ${k}`);
    }
    return bad.length === 0 ? undefined : bad.join("; ");
  };
}

// ---- the corpus ----

/** Every case, aimed at the canary directory `canary` (an absolute path). */
export async function maliciousCorpus(canary: string): Promise<MaliciousCase[]> {
  const up = "../".repeat(40) + canary.slice(1); // reaches the canary from any directory
  const t = (list: TarEntry[]) => writeTar(list);
  const raw = (...parts: Buffer[]) => Buffer.concat([...parts, END]);
  const refused = (code: string): Expect => ({ refused: `INFRA_RUNTIME_${code}` });
  const cases: MaliciousCase[] = [
    // traversal and absolute paths
    { name: "traversal ../", layer: t([file(`${up}/pwned`)]), expect: refused("TAR_UNSAFE") },
    { name: "traversal inside a path", layer: t([dir("a"), file(`a/../${up}/pwned`)]), expect: refused("TAR_UNSAFE") },
    { name: "absolute file path", layer: t([file(`${canary}/pwned`)]), expect: refused("TAR_UNSAFE") },
    { name: "absolute directory path", layer: t([dir(`${canary}/newdir`)]), expect: refused("TAR_UNSAFE") },
    { name: "path ending in ..", layer: t([dir("a"), dir("a/..")]), expect: refused("TAR_UNSAFE") },
    { name: "NUL in a PAX path", layer: raw(pax({ path: `ok\0${up}/pwned` }), rawHeader({ name: "x", type: "0" })), expect: refused("TAR_UNSAFE") },
    // symlink escapes
    { name: "symlink to .. then a write through it", layer: t([sym("l", up), file("l/pwned")]), expect: refused("TAR_UNSAFE") },
    { name: "absolute symlink then a write through it", layer: t([sym("l", canary), file("l/pwned")]), expect: refused("TAR_UNSAFE") },
    { name: "absolute symlink then a directory through it", layer: t([sym("l", canary), dir("l/newdir")]), expect: refused("TAR_UNSAFE") },
    { name: "symlink chain out", layer: t([sym("b", canary), sym("a", "b"), file("a/pwned")]), expect: refused("TAR_UNSAFE") },
    { name: "relative symlink chain out", layer: t([dir("x"), sym("x/b", "../../../../../../../../../../.."), sym("a", "x/b"), file(`a/${canary.slice(1)}/pwned`)]), expect: refused("TAR_UNSAFE") },
    { name: "symlink over a file, then the file written", layer: t([sym("victim", `${canary}/victim`), file("victim", "mine")]), expect: { unpacked: kinds({ victim: "file" }) } },
    // hardlink escapes
    { name: "hardlink out with ..", layer: t([hard("h", `${up}/secret`)]), expect: refused("TAR_UNSAFE") },
    { name: "hardlink to an absolute path in the canary", layer: t([hard("h", `${canary}/secret`)]), expect: refused("TAR_UNSAFE") },
    { name: "hardlink to /etc/shadow", layer: t([dir("etc"), hard("etc/shadow", "/etc/shadow")]), expect: refused("TAR_UNSAFE") },
    { name: "hardlink through a symlinked directory", layer: t([sym("s", canary), hard("h", "s/secret")]), expect: refused("TAR_UNSAFE") },
    { name: "hardlink to an escaping symlink, then written", layer: t([sym("s", `${canary}/victim`), hard("h", "s"), file("h", "mine")]), expect: { unpacked: kinds({ s: "symlink", h: "file" }) } },
    { name: "hardlink to a directory", layer: t([dir("d"), hard("h", "d")]), expect: refused("TAR_UNSAFE") },
    // a directory replaced by a symlink after an entry infra-host writes (the deferred-write hole)
    { name: "whiteout, then its directory becomes a symlink out", layer: t([dir("d"), file("d/.wh.victim", ""), sym("d", canary)]), expect: { unpacked: kinds({ d: "symlink" }) } },
    { name: "opaque whiteout, then its directory's parent becomes a symlink out", layer: t([dir("d"), dir("d/sub"), file("d/sub/.wh..wh..opq", ""), sym("d", canary)]), expect: { unpacked: kinds({ d: "symlink" }) } },
    { name: "fifo, then its directory becomes a symlink out", layer: t([dir("d"), tarEntry("d/fifo2", "fifo"), sym("d", canary)]), expect: { unpacked: kinds({ d: "symlink" }) } },
    { name: "xattr directory, then its parent becomes a symlink out", layer: t([dir("d"), dir("d/x", { xattrs: { "user.pwned": "1" } }), sym("d", canary)]), expect: { unpacked: kinds({ d: "symlink" }) } },
    { name: "opaque xattr directory, then its parent becomes a symlink out", layer: t([dir("d"), dir("d/sub", { xattrs: { "trusted.overlay.opaque": "y" } }), sym("d", canary)]), expect: { unpacked: kinds({ d: "symlink" }) } },
    { name: "device, then its directory becomes a symlink out", layer: t([dir("d"), tarEntry("d/victim", "char", { devmajor: 1, devminor: 3 }), sym("d", canary)]), expect: refused("TAR_UNSAFE") },
    // ... and replaced before such an entry
    { name: "symlinked directory, then a whiteout in it", layer: t([dir("d"), sym("d", canary), file("d/.wh.victim", "")]), expect: refused("TAR_UNSAFE") },
    { name: "symlinked directory, then an opaque whiteout in it", layer: t([sym("d", canary), file("d/sub/.wh..wh..opq", "")]), expect: refused("TAR_UNSAFE") },
    { name: "symlinked directory, then a fifo in it", layer: t([sym("d", canary), tarEntry("d/fifo2", "fifo")]), expect: refused("TAR_UNSAFE") },
    { name: "symlinked directory, then an xattr directory in it", layer: t([sym("d", canary), dir("d/sub", { xattrs: { "user.pwned": "1" } })]), expect: refused("TAR_UNSAFE") },
    { name: "symlinked directory, then a device in it", layer: t([sym("d", canary), tarEntry("d/victim", "char", { devmajor: 0, devminor: 0 })]), expect: refused("TAR_UNSAFE") },
    // whiteout tricks
    { name: "whiteout of ..", layer: t([dir("a"), file("a/.wh...", "")]), expect: refused("TAR_UNSAFE") },
    { name: "whiteout of .", layer: t([dir("a"), file("a/.wh..", "")]), expect: refused("TAR_UNSAFE") },
    { name: "whiteout with no name", layer: t([dir("a"), file("a/.wh.", "")]), expect: refused("TAR_UNSAFE") },
    { name: "whiteout under a file", layer: t([file("f", "x"), file("f/.wh.victim", "")]), expect: refused("TAR_UNSAFE") },
    { name: "whiteout with a traversal in its name", layer: t([file(`.wh.${up}/victim`, "")]), expect: refused("TAR_UNSAFE") },
    { name: "whiteout of the canary by absolute path", layer: t([file(`${canary}/.wh.victim`, "")]), expect: refused("TAR_UNSAFE") },
    // devices in an untrusted layer
    { name: "char device", layer: t([tarEntry("mem", "char", { devmajor: 1, devminor: 1 })]), expect: refused("TAR_UNSAFE") },
    { name: "block device", layer: t([tarEntry("sda", "block", { devmajor: 8, devminor: 0 })]), expect: refused("TAR_UNSAFE") },
    // duplicates: the last entry wins, and never by following what an earlier one left
    { name: "file, then directory, then symlink out at one path", layer: t([file("p", "one"), dir("p"), file("p/inner", "two"), sym("p", canary)]), expect: { unpacked: kinds({ p: "symlink" }) } },
    { name: "symlink out, then a directory and a file at its path", layer: t([sym("p", canary), dir("p"), file("p/victim", "mine")]), expect: { unpacked: kinds({ p: "dir", "p/victim": "file" }) } },
    { name: "fifo, then a file at its path", layer: t([tarEntry("p", "fifo"), file("p", "mine")]), expect: { unpacked: kinds({ p: "file" }) } },
    // sizes and truncation
    { name: "declared size of 1 TiB", layer: raw(rawHeader({ name: "huge", type: "0", size: 2 ** 40, base256: true })), expect: refused("TAR_LAYER_TOO_LARGE") },
    { name: "declared size past the end", layer: raw(rawHeader({ name: "short", type: "0", size: 10_000_000 }), Buffer.alloc(BLOCK)).subarray(0, 3 * BLOCK), expect: refused("TAR_TRUNCATED") },
    { name: "archive cut inside a header", layer: t([file("a", "x")]).subarray(0, 300), expect: refused("TAR_TRUNCATED") },
    { name: "gzip stream cut short", layer: (() => { const z = gzipSync(t([file("a", noise(50_000))])); return z.subarray(0, z.length - 1000); })(), expect: refused("TAR_CORRUPT") },
    { name: "header checksum wrong", layer: (() => { const b = t([file("a", "x")]); b[0] = 0x62; return b; })(), expect: refused("TAR_CORRUPT") },
    { name: "unknown entry type", layer: raw(rawHeader({ name: "s", type: "S" })), expect: refused("TAR_UNSUPPORTED") },
    // PAX and GNU overrides
    { name: "PAX path with ..", layer: raw(pax({ path: `${up}/pwned` }), rawHeader({ name: "innocent", type: "0" })), expect: refused("TAR_UNSAFE") },
    { name: "PAX linkpath of a hardlink with ..", layer: raw(pax({ linkpath: `${up}/secret` }), rawHeader({ name: "h", type: "1", linkname: "innocent" })), expect: refused("TAR_UNSAFE") },
    { name: "PAX size hiding a second entry", layer: raw(pax({ size: "-1" }), rawHeader({ name: "neg", type: "0" })), expect: refused("TAR_CORRUPT") },
    { name: "PAX uid beyond any id", layer: raw(pax({ uid: "4294967296" }), rawHeader({ name: "a", type: "0" })), expect: refused("TAR_CORRUPT") },
    { name: "global PAX path for every entry", layer: raw(pax({ path: `${up}/pwned` }, "g"), rawHeader({ name: "a", type: "0" })), expect: refused("TAR_UNSAFE") },
    { name: "GNU long name with ..", layer: raw(gnuLong("L", `${up}/${"y".repeat(120)}`), rawHeader({ name: "short", type: "0" })), expect: refused("TAR_UNSAFE") },
    { name: "GNU long link name, absolute hardlink", layer: raw(gnuLong("K", `${canary}/secret`), rawHeader({ name: "h", type: "1", linkname: "innocent" })), expect: refused("TAR_UNSAFE") },
    { name: "PAX record of 2 MiB", layer: raw(pax({ comment: "c".repeat(2 * 1024 * 1024) }), rawHeader({ name: "a", type: "0" })), expect: refused("TAR_HEADER_TOO_LARGE") },
    { name: "GNU long name of 2 MiB", layer: raw(gnuLong("L", "n".repeat(2 * 1024 * 1024)), rawHeader({ name: "a", type: "0" })), expect: refused("TAR_HEADER_TOO_LARGE") },
    { name: "global PAX records adding up", layer: raw(...Array.from({ length: 40 }, (_, i) => pax({ [`k${i}`]: "v".repeat(60_000) }, "g")), rawHeader({ name: "a", type: "0" })), expect: refused("TAR_HEADER_TOO_LARGE"), limits: { maxHeaderBytes: 1024 * 1024 } },
    // bombs and depth
    { name: "gzip bomb (32 MiB of zeros in 32 kB, limit 4 MiB)", layer: (await gzipBomb(32 * 1024 * 1024)).gz, expect: refused("TAR_LAYER_TOO_LARGE"), limits: { maxLayerBytes: 4 * 1024 * 1024 } },
    { name: "2,000 nested directories", layer: t(Array.from({ length: 2000 }, (_, i) => dir(Array(i + 1).fill("a").join("/")))), expect: refused("TAR_PATH_TOO_DEEP") },
    { name: "path of 4,000 bytes", layer: t([file(Array(16).fill("n".repeat(249)).join("/"))]), expect: refused("TAR_PATH_TOO_LONG") },
    { name: "name of 300 bytes", layer: t([file("n".repeat(300))]), expect: refused("TAR_PATH_TOO_LONG") },
    { name: "entry-count bomb", layer: t(Array.from({ length: 600 }, () => dir("same"))), expect: refused("TAR_TOO_MANY_ENTRIES"), limits: { maxEntries: 300 } },
    // kept, and documented: setuid bits stay (layers are closed to other users); overlay's own xattrs go
    { name: "setuid root binary", layer: t([dir("bin"), file("bin/su", "#!", { mode: 0o4755 })]), expect: { unpacked: async (root) => ((await lstat(join(root, "bin/su"))).mode & 0o7777) === 0o4755 ? undefined : "setuid bit not kept" } },
    { name: "overlay redirect xattr on a directory", layer: t([dir("d", { xattrs: { "trusted.overlay.redirect": "/etc" } })]), expect: { unpacked: kinds({ d: "dir" }) } },
  ];
  return cases;
}
