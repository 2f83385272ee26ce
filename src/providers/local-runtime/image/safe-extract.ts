/**
 * Unpacks one layer into an empty directory, streaming, without ever writing outside it. Each entry
 * is applied in archive order, at once: files, directories, symlinks and hardlinks by Node after a
 * walk that checks every directory on the way (layer-paths); whiteouts (char 0:0), fifos, trusted
 * devices and directory attributes by infra-host, which resolves the path with openat2 beneath the
 * layer's directory so that the kernel refuses any symlink on the way. Nothing is held back to the
 * end, when a later entry could have put a symlink where a directory was.
 */
import { constants } from "node:fs";
import type { FileHandle } from "node:fs/promises";
import { lchown, link, lutimes, mkdir, open, rm, symlink } from "node:fs/promises";
import { join } from "node:path";
import { isProviderError, ProviderError } from "../../contract.js";
import type { HostHelper } from "../host/host-helper.js";
import { runtimeError } from "../runtime-error.js";
import { checkFits, existingDir, lstatOrUndefined, safeComponents, unsafe, walkParent } from "./layer-paths.js";
import { layerStream, type LayerStream } from "./layer-stream.js";
import type { TarHeader } from "./tar-entry.js";
import { DEFAULT_TAR_LIMITS, type TarLimits } from "./tar-limits.js";
import { readTarStream } from "./tar-stream-reader.js";

export interface ExtractOptions {
  /** The infra-host that makes whiteouts, fifos and devices and sets directory attributes. */
  helper: HostHelper;
  limits?: TarLimits;
  /** Trusted input (built by infra itself) may contain device nodes. */
  allowDevices?: boolean;
}

export interface ExtractResult {
  entries: number;
  whiteouts: string[];
  opaqueDirs: string[];
  /** Extended attributes left out: those of files and symlinks, and directory ones not kept (keptXattr). */
  droppedXattrs: number;
  /** sha256 of the uncompressed layer, every byte of it. */
  diffId: string;
  /** Uncompressed bytes. */
  size: number;
}

const OPAQUE = ".wh..wh..opq";
/** A value longer than this would not fit one helper request; real directory attributes are tiny. */
const MAX_XATTR_VALUE = 16 * 1024;

/**
 * Directory attributes a layer may set: user.* and security.* as written, and overlay's opaque
 * marker. Other trusted.* ones (overlay's redirect, origin, metacopy) would steer the overlay mount.
 */
export function keptXattr(name: string, value: string): boolean {
  return name.startsWith("user.") || name.startsWith("security.") || (name === "trusted.overlay.opaque" && value === "y");
}

interface Unpack {
  root: string;
  opts: ExtractOptions;
  result: ExtractResult;
  /** Directories' times, set last (their content changes them): names, and the time. */
  dirTimes: Array<[string[], number]>;
}

/** A failure of the helper, said about the entry it was for. */
async function viaHelper(raw: string, op: Promise<unknown>): Promise<void> {
  try {
    await op;
  } catch (e) {
    if (!isProviderError(e)) throw e;
    const prefix = e.code === "INFRA_RUNTIME_TAR_UNSAFE" ? "refusing tar entry" : "tar entry";
    throw new ProviderError(e.category, e.code, `${prefix} '${raw}': ${e.message}`, { ...(e.hint !== undefined ? { hint: e.hint } : {}), cause: e });
  }
}

async function writeAll(fh: FileHandle, body: AsyncIterable<Buffer>): Promise<void> {
  for await (const c of body) {
    for (let off = 0; off < c.length; ) off += (await fh.write(c, off, c.length - off)).bytesWritten;
  }
}

/** Removes whatever is at `dest` (never following it) unless it is a directory that may stay. */
async function clear(dest: string, keepDir: boolean): Promise<boolean> {
  const st = await lstatOrUndefined(dest);
  if (st === undefined) return false;
  if (keepDir && st.isDirectory()) return true;
  await rm(dest, { recursive: true, force: true });
  return false;
}

async function mknod(u: Unpack, raw: string, rel: string, e: Pick<TarHeader, "mode" | "uid" | "gid" | "devmajor" | "devminor">, type: "c" | "b" | "p", mtime?: number): Promise<void> {
  await viaHelper(raw, u.opts.helper.request("layer-mknod", {
    root: u.root, path: rel, type, mode: (e.mode & 0o7777).toString(8), uid: e.uid, gid: e.gid,
    ...(type === "p" ? {} : { major: e.devmajor, minor: e.devminor }),
    ...(mtime !== undefined && mtime >= 0 ? { mtime } : {}),
  }));
}

async function setXattr(u: Unpack, raw: string, rel: string, name: string, value: string): Promise<void> {
  if (Buffer.byteLength(value) > MAX_XATTR_VALUE) throw runtimeError("Invalid", "TAR_XATTR_TOO_LARGE", `tar entry '${raw}' sets ${name} to ${Buffer.byteLength(value)} bytes; directory attributes up to ${MAX_XATTR_VALUE} bytes are kept`, "the layer is malformed or hostile; nothing outside the layer was written");
  await viaHelper(raw, u.opts.helper.request("layer-xattr", { root: u.root, path: rel, name, value }));
}

/** `.wh.NAME` deletes NAME of lower layers (a 0:0 char device); `.wh..wh..opq` hides all of its directory's. */
async function whiteout(u: Unpack, e: TarHeader, parts: string[]): Promise<void> {
  const base = parts[parts.length - 1]!;
  const dirParts = parts.slice(0, -1);
  const parent = (await walkParent(u.root, parts, e.path, true))!;
  if (base === OPAQUE) {
    if (dirParts.length === 0) return; // the layer's root has no lower directory of its own to hide
    await setXattr(u, e.path, dirParts.join("/"), "trusted.overlay.opaque", "y");
    u.result.opaqueDirs.push(dirParts.join("/"));
    return;
  }
  if (base.startsWith(".wh..wh.")) return; // aufs's own bookkeeping (plnk, aufs, orph): Docker skips it too
  const name = base.slice(4);
  if (name === "" || name === "." || name === "..") throw unsafe(e.path, "bad whiteout name");
  const rel = [...dirParts, name].join("/");
  await clear(join(parent, name), false);
  await mknod(u, e.path, rel, { mode: 0, uid: 0, gid: 0, devmajor: 0, devminor: 0 }, "c");
  u.result.whiteouts.push(rel);
}

async function applyEntry(u: Unpack, e: TarHeader, body: AsyncIterable<Buffer>): Promise<void> {
  const parts = safeComponents(e.path);
  if (parts.length === 0) return; // the layer's root itself
  checkFits(u.root, parts, e.path);
  const base = parts[parts.length - 1]!;
  if (base.startsWith(".wh.")) return whiteout(u, e, parts);
  const rel = parts.join("/");
  if (e.type !== "dir") u.result.droppedXattrs += Object.keys(e.xattrs).length;
  if (e.type === "hardlink") {
    const lparts = safeComponents(e.linkname);
    if (lparts.length === 0) throw unsafe(e.path, "hardlink to the layer root");
    checkFits(u.root, lparts, e.linkname);
    const lparent = await walkParent(u.root, lparts, e.path, false);
    const src = lparent === undefined ? undefined : join(lparent, lparts[lparts.length - 1]!);
    const st = src === undefined ? undefined : await lstatOrUndefined(src);
    if (src === undefined || st === undefined) throw unsafe(e.path, `hardlink target '${e.linkname}' does not exist in the layer`);
    if (st.isDirectory()) throw unsafe(e.path, "hardlink to a directory");
    const parent = (await walkParent(u.root, parts, e.path, true))!;
    const dest = join(parent, base);
    if (dest === src) return; // a link to itself: already there
    await clear(dest, false);
    try {
      await link(src, dest); // shares the target's metadata; link(2) does not follow a symlink target
    } catch (err) {
      // Only when clearing dest took its own target away (a link into the directory it replaces).
      if ((err as NodeJS.ErrnoException).code === "ENOENT") throw unsafe(e.path, `hardlink target '${e.linkname}' was inside what this entry replaced`);
      throw err;
    }
    return;
  }
  const parent = (await walkParent(u.root, parts, e.path, true))!;
  const dest = join(parent, base);
  switch (e.type) {
    case "dir": {
      if (!(await clear(dest, true))) await mkdir(dest, { mode: 0o700 });
      const fh = await open(dest, constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW);
      try {
        await fh.chown(e.uid, e.gid);
        await fh.chmod(e.mode);
      } finally {
        await fh.close();
      }
      for (const [name, value] of Object.entries(e.xattrs)) {
        if (keptXattr(name, value)) await setXattr(u, e.path, rel, name, value);
        else u.result.droppedXattrs++;
      }
      u.dirTimes.push([parts, e.mtime]);
      return;
    }
    case "file": {
      await clear(dest, false);
      const fh = await open(dest, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
      try {
        await writeAll(fh, body);
        // Owner before mode: chown clears setuid bits. Setuid is kept (as Docker does); layers are root's only.
        await fh.chown(e.uid, e.gid);
        await fh.chmod(e.mode);
        await fh.utimes(e.mtime, e.mtime);
      } finally {
        await fh.close();
      }
      return;
    }
    case "symlink":
      if (e.linkname === "") throw unsafe(e.path, "symlink with an empty target");
      await clear(dest, false);
      await symlink(e.linkname, dest); // its target is never followed here
      await lchown(dest, e.uid, e.gid);
      await lutimes(dest, e.mtime, e.mtime);
      return;
    case "char":
    case "block":
      if (!u.opts.allowDevices) throw unsafe(e.path, `device node (${e.type} ${e.devmajor}:${e.devminor}) in an untrusted layer`);
      await clear(dest, false);
      return mknod(u, e.path, rel, e, e.type === "char" ? "c" : "b", e.mtime);
    case "fifo":
      await clear(dest, false);
      return mknod(u, e.path, rel, e, "p", e.mtime);
  }
}

/** Unpacks `layer` (a tar or gzip'd tar in memory, or a layer stream) into the empty directory `root`. */
export async function extractLayer(layer: Uint8Array | LayerStream, root: string, opts: ExtractOptions): Promise<ExtractResult> {
  const limits = opts.limits ?? DEFAULT_TAR_LIMITS;
  const stream = layer instanceof Uint8Array ? layerStream(layer, limits) : layer;
  const u: Unpack = { root, opts, dirTimes: [], result: { entries: 0, whiteouts: [], opaqueDirs: [], droppedXattrs: 0, diffId: "", size: 0 } };
  for await (const { header, body } of readTarStream(stream.bytes, limits)) {
    u.result.entries++;
    await applyEntry(u, header, body);
  }
  // A directory replaced later (by a symlink, say) is no longer there to date: never followed.
  for (const [parts, t] of u.dirTimes.reverse()) {
    const dir = await existingDir(root, parts);
    if (dir !== undefined) await lutimes(dir, t, t);
  }
  u.result.diffId = stream.diffId();
  u.result.size = stream.size();
  return u.result;
}
