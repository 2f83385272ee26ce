/**
 * Resolves a path inside a container's root the way the container would see it: symlinks are
 * read by us (never followed by the kernel on the host), absolute targets restart at the root,
 * and a `..` that would climb above the root is refused, so the result never leaves the root.
 */
import { lstat, readlink } from "node:fs/promises";
import { join } from "node:path";
import { runtimeError } from "../runtime-error.js";

const MAX_LINKS = 40;

export interface Resolved {
  /** Host path of the result (root + the resolved path inside it). */
  hostPath: string;
  /** The resolved path as the container sees it, e.g. "/etc/passwd". */
  inside: string;
}

/**
 * `followLast` false keeps a final symlink as it is (to copy the link itself). Missing
 * components are fine (the caller may create them); they are taken literally.
 */
export async function resolveInRoot(root: string, path: string, followLast = true): Promise<Resolved> {
  const todo = path.split("/").filter((p) => p !== "" && p !== ".");
  const done: string[] = [];
  let links = 0;
  while (todo.length > 0) {
    const part = todo.shift()!;
    if (part === "..") {
      if (done.length === 0) throw escapeError(path);
      done.pop();
      continue;
    }
    const host = join(root, ...done, part);
    const st = await lstat(host).catch(() => undefined);
    if (!st?.isSymbolicLink() || (!followLast && todo.length === 0)) {
      done.push(part);
      continue;
    }
    if (++links > MAX_LINKS) throw runtimeError("Invalid", "CP_SYMLINK_LOOP", `too many symbolic links resolving '${path}' in the container`);
    const target = await readlink(host);
    if (target.startsWith("/")) done.length = 0;
    todo.unshift(...target.split("/").filter((p) => p !== "" && p !== "."));
  }
  return { hostPath: join(root, ...done), inside: "/" + done.join("/") };
}

function escapeError(path: string) {
  return runtimeError("Invalid", "CP_ESCAPE", `path '${path}' leads outside the container's root filesystem`, "a '..' or a symbolic link climbs above '/'; copy a path inside the container");
}
