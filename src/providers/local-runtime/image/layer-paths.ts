/**
 * Paths inside a layer being unpacked. An archive path becomes plain names or is refused, and
 * every write is preceded by a walk that lstat()s each directory on the way at that moment: the
 * layer's directory is private to one unpacker that applies entries one at a time, so what the walk
 * saw is what the write meets (writes Node cannot make go through openat2 in infra-host instead).
 */
import { lstatSync, type Stats } from "node:fs";
import { lstat, mkdir } from "node:fs/promises";
import { join } from "node:path";
import { runtimeError } from "../runtime-error.js";

/** Linux's PATH_MAX counts the terminating NUL; NAME_MAX is one name. */
const PATH_MAX = 4095;
const NAME_MAX = 255;

export function unsafe(path: string, why: string): Error {
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

/** Refuses a path the kernel would refuse with a bare ENAMETOOLONG once under `root`. */
export function checkFits(root: string, parts: readonly string[], raw: string): void {
  for (const p of parts) {
    const n = Buffer.byteLength(p);
    if (n > NAME_MAX) throw runtimeError("Invalid", "TAR_PATH_TOO_LONG", `tar entry '${raw.slice(0, 120)}…' has a name of ${n} bytes; Linux names hold at most ${NAME_MAX}`, "the layer cannot be unpacked on Linux; nothing outside the layer was written");
  }
  const total = Buffer.byteLength(root) + 1 + Buffer.byteLength(parts.join("/"));
  if (total > PATH_MAX)
    throw runtimeError("Invalid", "TAR_PATH_TOO_LONG", `tar entry '${raw.slice(0, 120)}…' would be a path of ${total} bytes under ${root}; Linux paths hold at most ${PATH_MAX}`, "the layer nests too deep to unpack (a shorter INFRA_ROOT gains a few bytes); nothing outside the layer was written");
}

export async function lstatOrUndefined(p: string): Promise<Stats | undefined> {
  try {
    return await lstat(p);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw e;
  }
}

/**
 * The directory holding the last of `parts`, each directory on the way checked now: a symlink or a
 * non-directory is refused; a missing one is created (`create`) or ends the walk (undefined).
 */
/** A walk's lstat: synchronous, ~2 µs where a thread-pool round trip costs ~50 (a walk is many of them). */
function lstatNow(p: string): Stats | undefined {
  return lstatSync(p, { throwIfNoEntry: false });
}

export async function walkParent(root: string, parts: readonly string[], raw: string, create: boolean): Promise<string | undefined> {
  let cur = root;
  for (const p of parts.slice(0, -1)) {
    cur = join(cur, p);
    const st = lstatNow(cur);
    if (st === undefined) {
      if (!create) return undefined;
      await mkdir(cur, { mode: 0o755 });
    } else if (st.isSymbolicLink()) throw unsafe(raw, `parent '${p}' is a symlink`);
    else if (!st.isDirectory()) throw unsafe(raw, `parent '${p}' is not a directory`);
  }
  return cur;
}

/** `parts` as a path when every name on the way, the last included, is still a real directory. */
export async function existingDir(root: string, parts: readonly string[]): Promise<string | undefined> {
  let cur = root;
  for (const p of parts) {
    cur = join(cur, p);
    const st = lstatNow(cur);
    if (st === undefined || !st.isDirectory()) return undefined;
  }
  return cur;
}
