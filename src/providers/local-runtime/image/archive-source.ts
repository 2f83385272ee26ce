/**
 * Read access to the files of an image archive, whether a tar (gzip'd or not) or a directory.
 * Paths are archive paths (`blobs/sha256/<hex>`, `manifest.json`): a path with `..` or a leading
 * `/`, or a symlink that leaves the archive, is refused, so an archive can only name its own files.
 */
import { lstat, readFile, readlink, stat } from "node:fs/promises";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { isProviderError } from "../../contract.js";
import { imageIoError, malformed } from "./image-io-error.js";
import { safeComponents } from "./layer-paths.js";
import { readTar } from "./tar-reader.js";

export interface ArchiveSource {
  /** For messages: the file or directory the user named. */
  readonly name: string;
  /** The file's bytes, or undefined when the archive has no such file. */
  read(path: string): Promise<Buffer | undefined>;
}

const MAX_TAR_BYTES = 2 ** 31 - 1;
/** Symlinks followed before giving up (a loop, or a chain nobody writes). */
const MAX_LINKS = 16;

function normalise(where: string, raw: string): string {
  try {
    return safeComponents(raw).join("/");
  } catch (e) {
    throw isProviderError(e) ? malformed(where, e.message) : e;
  }
}

/** `target` of a symlink at `linkPath`, as an archive path; escaping the archive is refused. */
function resolveLink(where: string, linkPath: string, target: string): string {
  if (target.startsWith("/")) throw malformed(where, `symlink '${linkPath}' points to the absolute path '${target}'`);
  const out = linkPath.split("/").slice(0, -1);
  for (const p of target.split("/")) {
    if (p === "" || p === ".") continue;
    if (p === "..") {
      if (out.length === 0) throw malformed(where, `symlink '${linkPath}' points outside the archive ('${target}')`);
      out.pop();
    } else out.push(p);
  }
  return out.join("/");
}

export function isGzip(b: Uint8Array): boolean {
  return b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b;
}

/** Indexes a whole tar archive held in memory. Device nodes, fifos and duplicate paths are refused. */
export function tarArchiveSource(name: string, bytes: Uint8Array): ArchiveSource {
  let tar: Uint8Array = bytes;
  if (isGzip(bytes)) {
    try {
      // The same bound as an uncompressed archive file: a gzip bomb stops there.
      tar = gunzipSync(bytes, { maxOutputLength: MAX_TAR_BYTES });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ERR_BUFFER_TOO_LARGE")
        throw imageIoError("Invalid", "ARCHIVE_TOO_LARGE", `${name} uncompresses to more than ${MAX_TAR_BYTES} bytes`, "unpack it into a directory and import the OCI layout directory instead");
      throw malformed(name, `the gzip stream is damaged (${(e as Error).message})`);
    }
  }
  const files = new Map<string, Uint8Array>();
  const links = new Map<string, string>();
  try {
    for (const e of readTar(tar)) {
      const path = normalise(name, e.path);
      if (path === "" || e.type === "dir") continue;
      if (files.has(path) || links.has(path)) throw malformed(name, `the archive holds '${path}' twice`);
      if (e.type === "file") files.set(path, e.data ?? new Uint8Array());
      else if (e.type === "symlink") links.set(path, resolveLink(name, path, e.linkname));
      else if (e.type === "hardlink") links.set(path, normalise(name, e.linkname));
      else throw malformed(name, `'${path}' is a ${e.type}, which has no place in an image archive`);
    }
  } catch (e) {
    if (isProviderError(e) && e.code.startsWith("INFRA_RUNTIME_TAR")) throw malformed(name, `not a readable tar archive (${e.message})`);
    throw e;
  }
  if (files.size === 0 && links.size === 0) throw malformed(name, "not a tar archive, or an empty one");
  return {
    name,
    async read(raw: string) {
      let path = normalise(name, raw);
      for (let i = 0; i <= MAX_LINKS; i++) {
        const data = files.get(path);
        if (data !== undefined) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
        const next = links.get(path);
        if (next === undefined) return undefined;
        path = next;
      }
      throw malformed(name, `too many levels of symlinks at '${raw}'`);
    },
  };
}

/** Files of a directory (an OCI layout): symlinks are followed only while they stay inside it. */
export function dirArchiveSource(root: string): ArchiveSource {
  return {
    name: root,
    async read(raw: string) {
      let path = normalise(root, raw);
      for (let i = 0; i <= MAX_LINKS; i++) {
        // Each component is checked, so a symlinked directory cannot lead outside either.
        const parts = path.split("/");
        let cur = root;
        let redirected: string | undefined;
        for (let k = 0; k < parts.length; k++) {
          cur = join(cur, parts[k]!);
          const st = await lstat(cur).catch(() => undefined);
          if (st === undefined) return undefined;
          if (st.isSymbolicLink()) {
            const prefix = parts.slice(0, k + 1).join("/");
            const rest = parts.slice(k + 1);
            redirected = [resolveLink(root, prefix, await readlink(cur)), ...rest].filter((p) => p !== "").join("/");
            break;
          }
          if (k < parts.length - 1 && !st.isDirectory()) return undefined;
          if (k === parts.length - 1 && !st.isFile()) return undefined;
        }
        if (redirected === undefined) return readFile(cur);
        path = redirected;
      }
      throw malformed(root, `too many levels of symlinks at '${raw}'`);
    },
  };
}

/** A tar file (gzip'd or not) or a directory, chosen by what `path` is. */
export async function openArchive(path: string): Promise<ArchiveSource> {
  const st = await stat(path).catch(() => undefined);
  if (st === undefined) throw imageNotThere(path);
  if (st.isDirectory()) return dirArchiveSource(path);
  // The tar is read whole (layers are verified in memory); Node reads at most 2 GiB at once.
  if (st.size > MAX_TAR_BYTES) {
    throw imageIoError("Invalid", "ARCHIVE_TOO_LARGE", `${path} is ${st.size} bytes; archive files up to ${MAX_TAR_BYTES} bytes can be imported`, "unpack it into a directory and import the OCI layout directory instead");
  }
  return tarArchiveSource(path, await readFile(path));
}

function imageNotThere(path: string) {
  return imageIoError("NotFound", "ARCHIVE_NOT_FOUND", `${path}: no such file or directory`, "name a docker save archive, an OCI layout directory or an OCI layout tar");
}
