/**
 * Unpacks one layer into an empty directory without ever writing outside it: absolute paths,
 * `..`, paths through symlinks, hardlinks out of the root and device nodes are refused.
 * OCI whiteouts become overlayfs whiteouts (char 0:0) and opaque dirs get
 * `trusted.overlay.opaque=y`; Node has neither mknod nor setxattr, so those few entries are
 * handed to GNU tar in one generated archive whose paths were already checked here.
 */
import { constants } from "node:fs";
import { chmod, lchown, link, lstat, lutimes, mkdir, open, rm, symlink, utimes } from "node:fs/promises";
import { join } from "node:path";
import { runtimeError } from "../runtime-error.js";
import { mustRun } from "../host/run-command.js";
import { tarEntry, type TarEntry } from "./tar-entry.js";
import { readTar } from "./tar-reader.js";
import { writeTar } from "./tar-writer.js";

export interface ExtractOptions {
  /** Trusted input (built by infra itself) may contain device nodes. */
  allowDevices?: boolean;
}

export interface ExtractResult {
  entries: number;
  whiteouts: string[];
  opaqueDirs: string[];
}

function unsafe(path: string, why: string): Error {
  return runtimeError("Invalid", "TAR_UNSAFE", `refusing tar entry '${path}': ${why}`, "the archive is malformed or malicious; nothing outside the layer was written");
}

/** Splits an archive path into safe components, or refuses it. */
export function safeComponents(raw: string): string[] {
  if (raw.startsWith("/")) throw unsafe(raw, "absolute path");
  if (raw.includes("\0")) throw unsafe(raw, "NUL byte in path");
  const parts = raw.split("/").filter((p) => p !== "" && p !== ".");
  if (parts.some((p) => p === "..")) throw unsafe(raw, "path contains '..'");
  return parts;
}

async function lstatOrUndefined(p: string) {
  try {
    return await lstat(p);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw e;
  }
}

/** Walks to the parent of `parts`, creating missing dirs; a symlink or non-dir on the way is refused. */
async function ensureParent(root: string, parts: string[], raw: string): Promise<string> {
  let cur = root;
  for (const p of parts.slice(0, -1)) {
    cur = join(cur, p);
    const st = await lstatOrUndefined(cur);
    if (st === undefined) await mkdir(cur, { mode: 0o755 });
    else if (st.isSymbolicLink()) throw unsafe(raw, `parent '${p}' is a symlink`);
    else if (!st.isDirectory()) throw unsafe(raw, `parent '${p}' is not a directory`);
  }
  return cur;
}

export async function extractLayer(tar: Uint8Array, root: string, opts: ExtractOptions = {}): Promise<ExtractResult> {
  const special: TarEntry[] = [];
  const dirTimes: Array<[string, number]> = [];
  const result: ExtractResult = { entries: 0, whiteouts: [], opaqueDirs: [] };
  for (const e of readTar(tar)) {
    result.entries++;
    const parts = safeComponents(e.path);
    if (parts.length === 0) continue;
    const base = parts[parts.length - 1]!;
    const rel = parts.join("/");
    if (base.startsWith(".wh.")) {
      await ensureParent(root, parts, e.path);
      const dirRel = parts.slice(0, -1).join("/");
      if (base === ".wh..wh..opq") {
        if (dirRel === "") continue;
        const st = await lstat(join(root, dirRel));
        special.push(tarEntry(dirRel, "dir", { mode: st.mode & 0o7777, uid: st.uid, gid: st.gid, xattrs: { "trusted.overlay.opaque": "y" } }));
        result.opaqueDirs.push(dirRel);
      } else {
        const name = base.slice(4);
        if (name === "" || name === "." || name === "..") throw unsafe(e.path, "bad whiteout name");
        const target = dirRel === "" ? name : `${dirRel}/${name}`;
        await rm(join(root, target), { recursive: true, force: true });
        special.push(tarEntry(target, "char", { mode: 0o000 }));
        result.whiteouts.push(target);
      }
      continue;
    }
    const parent = await ensureParent(root, parts, e.path);
    const dest = join(parent, base);
    const existing = await lstatOrUndefined(dest);
    if (existing !== undefined && !(existing.isDirectory() && e.type === "dir")) {
      await rm(dest, { recursive: true, force: true });
    }
    switch (e.type) {
      case "dir":
        if (existing === undefined || !existing.isDirectory()) await mkdir(dest, { mode: 0o700 });
        dirTimes.push([dest, e.mtime]);
        break;
      case "file": {
        const fh = await open(dest, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
        try {
          if (e.data !== undefined && e.data.length > 0) await fh.write(e.data);
        } finally {
          await fh.close();
        }
        break;
      }
      case "symlink":
        await symlink(e.linkname, dest);
        break;
      case "hardlink": {
        const lparts = safeComponents(e.linkname);
        if (lparts.length === 0) throw unsafe(e.path, "hardlink to the layer root");
        const lparent = await ensureParent(root, lparts, e.path);
        const src = join(lparent, lparts[lparts.length - 1]!);
        const st = await lstatOrUndefined(src);
        if (st === undefined) throw unsafe(e.path, `hardlink target '${e.linkname}' does not exist in the layer`);
        if (st.isDirectory()) throw unsafe(e.path, "hardlink to a directory");
        await link(src, dest);
        continue; // a hardlink shares the target's metadata
      }
      case "char":
      case "block":
        if (!opts.allowDevices) throw unsafe(e.path, `device node (${e.type} ${e.devmajor}:${e.devminor}) in an untrusted layer`);
        special.push(e);
        continue;
      case "fifo":
        special.push(e);
        continue;
    }
    await lchown(dest, e.uid, e.gid);
    if (e.type !== "symlink") await chmod(dest, e.mode);
    if (e.type === "file") await utimes(dest, e.mtime, e.mtime);
    if (e.type === "symlink") await lutimes(dest, e.mtime, e.mtime);
    // Directory xattrs are kept (overlay needs them); file xattrs such as capabilities are dropped.
    if (e.type === "dir" && Object.keys(e.xattrs).length > 0) special.push(tarEntry(rel, "dir", { mode: e.mode, uid: e.uid, gid: e.gid, xattrs: e.xattrs }));
  }
  if (special.length > 0) {
    // Only xattr-bearing dirs, whiteouts, fifos and trusted devices get here; their paths are checked.
    await mustRun("tar", ["--xattrs", "--xattrs-include=*", "--numeric-owner", "-xpf", "-", "-C", root], { input: writeTar(special) });
  }
  for (const [d, t] of dirTimes.reverse()) await utimes(d, t, t);
  return result;
}
