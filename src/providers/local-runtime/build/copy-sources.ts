/**
 * What a COPY/ADD source pattern names: files of the build context (after .dockerignore) or of
 * another stage's or image's root, matched with Go's filepath.Match per segment; directories
 * stand for their contents. Walking touches the disk; matching is pure.
 */
import { lstat, readdir, readlink } from "node:fs/promises";
import { join, posix } from "node:path";
import { globRegex } from "../../../graph/dockerignore.js";

export interface SourceEntry {
  /** Slash-separated path relative to the tree's root; "" for the root itself. */
  rel: string;
  abs: string;
  type: "file" | "dir" | "symlink";
  mode: number;
  uid: number;
  gid: number;
  size: number;
  linkname: string;
}

export interface SourceTree {
  root: string;
  entries: Map<string, SourceEntry>;
}

/** Walks `root` (from `start`, relative) without following symlinks; `ignore` drops paths. */
export async function walkTree(root: string, start = "", ignore?: (rel: string, isDir: boolean) => "skip" | "keep" | "descend"): Promise<SourceTree> {
  const entries = new Map<string, SourceEntry>();
  const add = async (rel: string): Promise<SourceEntry | undefined> => {
    const abs = rel === "" ? root : join(root, rel);
    const st = await lstat(abs).catch(() => undefined);
    if (!st) return undefined;
    const type = st.isDirectory() ? "dir" : st.isSymbolicLink() ? "symlink" : st.isFile() ? "file" : undefined;
    if (type === undefined) return undefined; // sockets, fifos, devices are not copied
    const e: SourceEntry = { rel, abs, type, mode: st.mode & 0o7777, uid: st.uid, gid: st.gid, size: st.size, linkname: type === "symlink" ? await readlink(abs) : "" };
    return e;
  };
  const walk = async (rel: string): Promise<boolean> => {
    const names = (await readdir(rel === "" ? root : join(root, rel)).catch(() => [] as string[])).sort();
    let any = false;
    for (const name of names) {
      const r = rel === "" ? name : `${rel}/${name}`;
      const e = await add(r);
      if (!e) continue;
      const verdict = ignore ? ignore(r, e.type === "dir") : "keep";
      if (verdict === "skip") continue;
      if (e.type === "dir") {
        // An ignored directory stays only when a `!` rule brought something inside it back.
        const keptInside = await walk(r);
        if (verdict === "keep" || keptInside) { entries.set(r, e); any = true; }
      } else if (verdict === "keep") { entries.set(r, e); any = true; }
    }
    return any;
  };
  const first = await add(start);
  if (first) {
    entries.set(start, first);
    if (first.type === "dir") await walk(start);
  }
  return { root, entries };
}

/** Cleans a source as Docker does: relative to the root, `..` cannot climb out. */
export function cleanSource(p: string): string {
  const n = posix.normalize(`/${p}`).replace(/^\/+/, "").replace(/\/+$/, "");
  return n === "." ? "" : n;
}

export function hasWildcard(p: string): boolean {
  return /[*?[]/.test(p);
}

/** The entries a pattern names (empty when nothing matches). Pure. */
export function matchSources(tree: SourceTree, pattern: string): SourceEntry[] {
  const p = cleanSource(pattern);
  if (!hasWildcard(p)) {
    const e = tree.entries.get(p);
    return e ? [e] : [];
  }
  const re = globRegex(p);
  return [...tree.entries.values()].filter((e) => e.rel !== "" && re.test(e.rel)).sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));
}

/** A directory's descendants in sorted order (its contents are what COPY copies). Pure. */
export function descendants(tree: SourceTree, dir: SourceEntry): SourceEntry[] {
  const prefix = dir.rel === "" ? "" : `${dir.rel}/`;
  return [...tree.entries.values()].filter((e) => e.rel !== dir.rel && e.rel.startsWith(prefix)).sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));
}

/** The static directory in front of the first wildcard segment (where a walk must start). */
export function staticPrefix(pattern: string): string {
  const segs = cleanSource(pattern).split("/");
  const i = segs.findIndex((s) => hasWildcard(s));
  return (i < 0 ? segs.slice(0, -1) : segs.slice(0, i)).join("/");
}
