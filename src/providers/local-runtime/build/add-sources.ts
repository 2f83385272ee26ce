/**
 * What ADD adds besides COPY: local tar archives (plain or gzip) are unpacked into the
 * destination, refusing paths that climb out of it; URLs are downloaded (a clear error when
 * unreachable). Archive recognition and item planning are pure.
 */
import { gunzipSync } from "node:zlib";
import { posix } from "node:path";
import { safeComponents } from "../image/layer-paths.js";
import { readTar } from "../image/tar-reader.js";
import { buildError } from "./build-error.js";
import type { CopyItem } from "./copy-plan.js";

/** The tar bytes of a plain or gzip tar archive, or undefined when `data` is not one. */
export function asTarArchive(data: Uint8Array): Uint8Array | undefined {
  let tar = data;
  if (data[0] === 0x1f && data[1] === 0x8b) {
    try {
      tar = gunzipSync(data);
    } catch {
      return undefined;
    }
  }
  if (tar.length < 512) return undefined;
  const magic = Buffer.from(tar.subarray(257, 262)).toString("latin1");
  return magic === "ustar" ? tar : undefined;
}

/** Items that unpack `tar` under `destDir`; owners kept unless `chown`. Pure. */
export function archiveItems(tar: Uint8Array, destDir: string, chown?: { uid: number; gid: number }, chmod?: number): CopyItem[] {
  const items: CopyItem[] = [];
  for (const e of readTar(tar)) {
    const parts = safeComponents(e.path);
    if (parts.length === 0) continue;
    if (e.type !== "file" && e.type !== "dir" && e.type !== "symlink" && e.type !== "hardlink") continue; // devices and fifos are not unpacked
    const owner = chown ?? { uid: e.uid, gid: e.gid };
    const it: CopyItem = { dest: posix.join(destDir, ...parts), type: e.type, mode: chmod ?? e.mode, uid: owner.uid, gid: owner.gid, linkname: e.linkname };
    if (e.type === "hardlink") it.linkname = posix.join(destDir, ...safeComponents(e.linkname));
    if (e.type === "file") it.data = e.data ?? new Uint8Array();
    items.push(it);
  }
  return items;
}

export function isUrl(src: string): boolean {
  return /^https?:\/\//i.test(src);
}

/** Downloads `url`; fails with INFRA_BUILD_ADD_URL naming the URL and why. */
export async function downloadUrl(url: string, timeoutMs = 30000, signal?: AbortSignal): Promise<Uint8Array> {
  let res: Response;
  try {
    const sig = signal ? AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]) : AbortSignal.timeout(timeoutMs);
    res = await fetch(url, { signal: sig, redirect: "follow" });
  } catch (e) {
    const why = (e as { cause?: { code?: string; message?: string } }).cause?.code ?? (e as Error).message;
    throw buildError("Unavailable", "ADD_URL", `ADD failed: cannot download ${url}: ${why}`, "check the URL and that this host can reach it, or put the file in the build context and COPY it", e);
  }
  if (!res.ok) throw buildError("Unavailable", "ADD_URL", `ADD failed: cannot download ${url}: HTTP ${res.status} ${res.statusText}`, "check the URL, or put the file in the build context and COPY it");
  return new Uint8Array(await res.arrayBuffer());
}

/** The file name ADD gives a download: the last segment of the URL path. */
export function urlFileName(url: string): string {
  const p = new URL(url).pathname;
  const base = posix.basename(p);
  return base === "" || base === "/" ? "index.html" : base;
}
