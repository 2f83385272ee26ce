/**
 * Paths inside an image's root filesystem, resolved the way the container would see them:
 * symlinks are followed relative to the root (an absolute target restarts at the root, `..`
 * stops at it), so a COPY into `/app` where `/app -> /etc` lands in the image's /etc, never the
 * host's. Nothing else runs in a build rootfs while the builder writes, so there is no race.
 */
import { lstat, mkdir, readFile, readlink, chown } from "node:fs/promises";
import { join } from "node:path";
import { buildError } from "./build-error.js";

const MAX_LINKS = 40;

/** Host path of `p` (an in-image path) under `root`; the last component is followed when `followLast`. */
export async function resolveInRoot(root: string, p: string, followLast = true): Promise<string> {
  let parts = p.split("/").filter((x) => x !== "" && x !== ".");
  const done: string[] = [];
  let hops = 0;
  while (parts.length > 0) {
    const name = parts.shift()!;
    if (name === "..") {
      done.pop();
      continue;
    }
    const cand = join(root, ...done, name);
    const st = await lstat(cand).catch(() => undefined);
    if (st?.isSymbolicLink() && (parts.length > 0 || followLast)) {
      if (++hops > MAX_LINKS) throw buildError("Invalid", "SYMLINK_LOOP", `too many levels of symbolic links resolving '${p}' in the image`, "fix the symlinks in the image");
      const target = await readlink(cand);
      if (target.startsWith("/")) done.length = 0;
      parts = [...target.split("/").filter((x) => x !== "" && x !== "."), ...parts];
      continue;
    }
    done.push(name);
  }
  return join(root, ...done);
}

/** `mkdir -p` inside the root; new directories get mode 0755 and the given owner. */
export async function mkdirInRoot(root: string, p: string, owner: { uid: number; gid: number } = { uid: 0, gid: 0 }): Promise<string> {
  const parts = p.split("/").filter((x) => x !== "" && x !== ".");
  let cur = "/";
  for (const part of parts) {
    cur = cur === "/" ? `/${part}` : `${cur}/${part}`;
    const host = await resolveInRoot(root, cur);
    const st = await lstat(host).catch(() => undefined);
    if (st === undefined) {
      await mkdir(host, { mode: 0o755 });
      await chown(host, owner.uid, owner.gid);
    } else if (!st.isDirectory()) {
      throw buildError("Invalid", "NOT_A_DIRECTORY", `'${cur}' exists in the image and is not a directory`, "pick a destination that is a directory, or remove the file first");
    }
  }
  return resolveInRoot(root, p);
}

/** A small text file of the image (passwd, group); "" when absent. */
export async function readFileInRoot(root: string, p: string): Promise<string> {
  try {
    return await readFile(await resolveInRoot(root, p), "utf8");
  } catch {
    return "";
  }
}

export async function isDirInRoot(root: string, p: string): Promise<boolean> {
  const st = await lstat(await resolveInRoot(root, p)).catch(() => undefined);
  return st?.isDirectory() ?? false;
}
