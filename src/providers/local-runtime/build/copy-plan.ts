/**
 * Docker's COPY/ADD placement rules as a pure function: a directory source copies its contents;
 * a file goes to `dest` itself unless `dest` is a directory (ends with `/`, exists as one, or
 * several sources are given); `--chown` and `--chmod` override owner and mode; context files
 * belong to root. The result is a list of items to write and a content hash for the cache.
 */
import { createHash } from "node:crypto";
import { posix } from "node:path";
import { buildError } from "./build-error.js";
import { descendants, type SourceEntry, type SourceTree } from "./copy-sources.js";

export interface CopyItem {
  /** Absolute path in the image. */
  dest: string;
  type: "file" | "dir" | "symlink" | "hardlink";
  mode: number;
  uid: number;
  gid: number;
  /** Symlink target as written, or (hardlink) the absolute image path linked to. */
  linkname: string;
  /** File content, or `src` to read it from. */
  data?: Uint8Array;
  src?: string;
}

export interface CopyMatch {
  tree: SourceTree;
  entry: SourceEntry;
}

export interface PlanCopyOptions {
  /** Destination after expansion and WORKDIR resolution, with a trailing `/` kept. */
  dest: string;
  /** The destination already exists in the image as a directory. */
  destExistsAsDir: boolean;
  chown?: { uid: number; gid: number };
  chmod?: number;
  /** Keep source owners (COPY --from); context files belong to root. */
  keepOwners: boolean;
  /** Instruction name for messages. */
  what: string;
}

export function planCopy(matches: readonly CopyMatch[], o: PlanCopyOptions): CopyItem[] {
  const toDir = o.dest.endsWith("/") || o.destExistsAsDir || matches.length > 1;
  if (matches.length > 1 && !o.dest.endsWith("/") && !o.destExistsAsDir)
    throw buildError("Invalid", "COPY_DEST_NOT_DIR", `When using ${o.what} with more than one source file, the destination must be a directory and end with a /`, `write the destination as ${o.dest}/`);
  const dest = posix.normalize(o.dest.endsWith("/") && o.dest !== "/" ? o.dest.slice(0, -1) : o.dest);
  const items: CopyItem[] = [];
  const item = (e: SourceEntry, target: string): CopyItem => {
    const owner = o.chown ?? (o.keepOwners ? { uid: e.uid, gid: e.gid } : { uid: 0, gid: 0 });
    const it: CopyItem = { dest: target, type: e.type, mode: o.chmod ?? e.mode, uid: owner.uid, gid: owner.gid, linkname: e.linkname };
    if (e.type === "file") it.src = e.abs;
    return it;
  };
  for (const m of matches) {
    if (m.entry.type === "dir") {
      items.push(item(m.entry, dest));
      for (const d of descendants(m.tree, m.entry)) items.push(item(d, posix.join(dest, d.rel.slice(m.entry.rel === "" ? 0 : m.entry.rel.length + 1))));
    } else {
      items.push(item(m.entry, toDir ? posix.join(dest, posix.basename(m.entry.rel)) : dest));
    }
  }
  return items;
}

/** Hash of what a COPY writes: paths, types, modes, owners, link targets and contents; no mtimes. */
export async function hashCopyItems(items: readonly CopyItem[], read: (src: string) => Promise<Uint8Array>): Promise<string> {
  const h = createHash("sha256");
  for (const it of items) {
    h.update(`${it.type} ${it.dest} ${it.mode.toString(8)} ${it.uid}:${it.gid} ${it.linkname}\n`);
    if (it.type === "file") {
      const data = it.data ?? (it.src !== undefined ? await read(it.src) : new Uint8Array());
      h.update(createHash("sha256").update(data).digest("hex"));
      h.update("\n");
    }
  }
  return `sha256:${h.digest("hex")}`;
}
