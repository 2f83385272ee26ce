/**
 * Turns an overlay upper directory (exactly the changes of one build step) into an OCI layer:
 * char 0:0 devices become `.wh.NAME` files, `trusted.overlay.opaque=y` becomes
 * `DIR/.wh..wh..opq`, overlay's own xattrs are dropped, entries are sorted (whiteouts first in
 * their directory) and hardlink groups are re-pointed at the first member in that order, so
 * the same changes give the same bytes. GNU tar reads the directory (Node cannot read xattrs);
 * the conversion itself is pure.
 */
import { readFile, rm } from "node:fs/promises";
import { mustRun } from "../host/run-command.js";
import { tarEntry, type TarEntry } from "../image/tar-entry.js";
import { readTar } from "../image/tar-reader.js";
import { writeTar } from "../image/tar-writer.js";

export interface LayerDiffOptions {
  /** Every mtime set to this (COPY/ADD/WORKDIR layers: content-addressed); RUN keeps real times. */
  fixedMtime?: number;
  /** Paths (relative, no leading slash) to leave out: mount points the runtime created. */
  drop?: ReadonlySet<string>;
}

const OPAQUE = "trusted.overlay.opaque";

function sortKey(path: string): string {
  const i = path.lastIndexOf("/");
  const base = path.slice(i + 1);
  // Whiteouts before their siblings, as the image spec asks of producers.
  return base.startsWith(".wh.") ? `${path.slice(0, i + 1)}\u0000${base}` : path;
}

/** Pure: entries of `tar -c` over an upper dir → the entries of the OCI layer. */
export function upperEntriesToLayer(raw: Iterable<TarEntry>, o: LayerDiffOptions = {}): TarEntry[] {
  const out: TarEntry[] = [];
  for (const e0 of raw) {
    const path = e0.path.replace(/^(\.\/)+/, "").replace(/\/+$/, "");
    if (path === "" || path === ".") continue;
    if (o.drop?.has(path)) continue;
    const xattrs: Record<string, string> = {};
    for (const [k, v] of Object.entries(e0.xattrs)) if (!k.startsWith("trusted.overlay.")) xattrs[k] = v;
    const e: TarEntry = { ...e0, path, xattrs, linkname: e0.type === "hardlink" ? e0.linkname.replace(/^(\.\/)+/, "") : e0.linkname };
    if (o.fixedMtime !== undefined) e.mtime = o.fixedMtime;
    if (e.type === "char" && e.devmajor === 0 && e.devminor === 0) {
      const i = path.lastIndexOf("/");
      out.push(tarEntry(`${path.slice(0, i + 1)}.wh.${path.slice(i + 1)}`, "file", { mode: 0, data: new Uint8Array() }));
      continue;
    }
    out.push(e);
    if (e.type === "dir" && e0.xattrs[OPAQUE] === "y") out.push(tarEntry(`${path}/.wh..wh..opq`, "file", { mode: 0, data: new Uint8Array() }));
  }
  out.sort((a, b) => {
    const ka = sortKey(a.path);
    const kb = sortKey(b.path);
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  });
  // Hardlink groups: the member that now comes first carries the data, the rest link to it.
  const linkOf = new Map<string, string>();
  for (const e of out) if (e.type === "hardlink") linkOf.set(e.path, e.linkname);
  const root = (p: string): string => {
    let cur = p;
    for (let i = 0; i < 64 && linkOf.has(cur); i++) cur = linkOf.get(cur)!;
    return cur;
  };
  const targets = new Set([...linkOf.values()].map(root));
  const byPath = new Map(out.map((e) => [e.path, e]));
  const leaderOf = new Map<string, string>();
  const result: TarEntry[] = [];
  for (const e of out) {
    const inGroup = e.type === "hardlink" || (e.type === "file" && targets.has(e.path));
    if (!inGroup) {
      result.push(e);
      continue;
    }
    const r = e.type === "hardlink" ? root(e.linkname) : e.path;
    const src = byPath.get(r);
    const lead = leaderOf.get(r);
    if (src === undefined) result.push(e);
    else if (lead === undefined) {
      leaderOf.set(r, e.path);
      result.push({ ...src, path: e.path });
    } else {
      const l: TarEntry = { ...e, type: "hardlink", linkname: lead };
      delete l.data;
      result.push(l);
    }
  }
  return result;
}

/** Reads an upper dir and returns the layer tar, or undefined when the step changed nothing. */
export async function diffUpperDir(upper: string, scratchFile: string, o: LayerDiffOptions = {}): Promise<Buffer | undefined> {
  await mustRun("tar", ["--xattrs", `--xattrs-include=${OPAQUE}`, "--xattrs-include=security.capability", "--numeric-owner", "-cf", scratchFile, "-C", upper, "."]);
  try {
    const entries = upperEntriesToLayer(readTar(await readFile(scratchFile)), o);
    if (entries.length === 0) return undefined;
    return writeTar(entries);
  } finally {
    await rm(scratchFile, { force: true });
  }
}
