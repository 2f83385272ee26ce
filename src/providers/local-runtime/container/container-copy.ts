/**
 * `cp` between the host and a container. A running container is reached through
 * /proc/PID/root (its own mounts, volumes included) and frozen during the copy, so that it cannot
 * swap a directory for a symlink under us; a stopped one through its overlay root, mounted for the
 * copy. Paths inside are resolved by resolveInRoot, and the walk never follows a symlink.
 */
import { constants } from "node:fs";
import { chmod, lstat, mkdir, open, readFile, readdir, readlink, rm, symlink, utimes } from "node:fs/promises";
import { basename, join } from "node:path";
import { containerPaths } from "../layout.js";
import { mustRun, runCommand } from "../host/run-command.js";
import { runtimeError } from "../runtime-error.js";
import type { ContainerManager } from "./container-manager.js";
import { resolveInRoot } from "./resolve-in-root.js";

export interface CopyRequest {
  direction: "in" | "out";
  /** Absolute host path. */
  hostPath: string;
  /** Path inside the container. */
  containerPath: string;
}

export interface CopyResult {
  /** Files, directories and links written. */
  entries: number;
}

export async function copyContainer(m: ContainerManager, idOrName: string, req: CopyRequest): Promise<CopyResult> {
  if (!req.hostPath.startsWith("/")) throw runtimeError("Invalid", "CP_BAD_PATH", `host path '${req.hostPath}' must be absolute`);
  if (!req.containerPath.startsWith("/")) throw runtimeError("Invalid", "CP_BAD_PATH", `container path '${req.containerPath}' must be absolute`, "e.g. NAME:/etc/hosts");
  const rec = m.get(idOrName);
  return withRoot(m, rec.id, (root) => (req.direction === "out" ? copyOut(root, req.containerPath, req.hostPath) : copyIn(req.hostPath, root, req.containerPath)));
}

/** Runs `fn` with a host path of the container's root; freezes a running container meanwhile. */
async function withRoot<T>(m: ContainerManager, id: string, fn: (root: string) => Promise<T>): Promise<T> {
  const rec = m.get(id);
  if ((rec.state === "running" || rec.state === "paused") && rec.pid) {
    const freeze = rec.state === "running";
    if (freeze) await m.runc.pause(rec.id);
    try {
      return await fn(`/proc/${rec.pid}/root`);
    } finally {
      if (freeze) await m.runc.resume(rec.id).catch(() => undefined);
    }
  }
  const p = containerPaths(m.layout, rec.id);
  const image = await m.opts.images.mustResolve(rec.imageId);
  let lowers = await m.opts.images.layerDirs(image);
  for (const d of [p.rootfs, p.upper, p.work]) await mkdir(d, { recursive: true });
  if (lowers.length === 0) {
    lowers = [join(p.dir, "empty")];
    await mkdir(lowers[0]!, { recursive: true });
  }
  const mine = !(await readFile("/proc/self/mountinfo", "utf8")).includes(` ${p.rootfs} `);
  if (mine) await mustRun("mount", ["-t", "overlay", "overlay", "-o", `lowerdir=${lowers.join(":")},upperdir=${p.upper},workdir=${p.work},index=off`, p.rootfs]);
  try {
    return await fn(p.rootfs);
  } finally {
    if (mine) await runCommand("umount", [p.rootfs]);
  }
}

async function copyOut(root: string, inside: string, hostDest: string): Promise<CopyResult> {
  const contentOnly = /\/\.$/.test(inside);
  const src = await resolveInRoot(root, inside);
  const st = await lstat(src.hostPath).catch(() => undefined);
  if (!st) throw runtimeError("NotFound", "CP_NOT_FOUND", `no such file or directory in the container: ${inside}`);
  const destSt = await lstat(hostDest).catch(() => undefined);
  const target = contentOnly || !destSt?.isDirectory() ? hostDest : join(hostDest, basename(src.inside) || "root");
  const n = { entries: 0 };
  await copyTree(src.hostPath, target, n);
  return n;
}

async function copyIn(hostSrc: string, root: string, inside: string): Promise<CopyResult> {
  const st = await lstat(hostSrc).catch(() => undefined);
  if (!st) throw runtimeError("NotFound", "CP_NOT_FOUND", `no such file or directory on the host: ${hostSrc}`);
  const dest = await resolveInRoot(root, inside);
  const destSt = await lstat(dest.hostPath).catch(() => undefined);
  let target: string;
  if (destSt?.isDirectory()) target = /\/\.$/.test(hostSrc) ? dest.hostPath : join(dest.hostPath, basename(hostSrc));
  else {
    // The parent must exist inside the container, as a real directory (resolveInRoot followed links).
    const parent = await resolveInRoot(root, inside.replace(/\/+[^/]*\/*$/, "") || "/");
    const pst = await lstat(parent.hostPath).catch(() => undefined);
    if (!pst?.isDirectory()) throw runtimeError("NotFound", "CP_NO_PARENT", `directory of '${inside}' does not exist in the container`);
    target = join(parent.hostPath, basename(inside));
  }
  const n = { entries: 0 };
  await copyTree(hostSrc, target, n);
  return n;
}

/**
 * Copies `src` to `dest` without following symlinks on either side: an existing symlink or file
 * of another kind at a destination name is replaced, never written through.
 */
async function copyTree(src: string, dest: string, n: { entries: number }): Promise<void> {
  const st = await lstat(src);
  const existing = await lstat(dest).catch(() => undefined);
  if (existing && (existing.isSymbolicLink() || existing.isDirectory() !== st.isDirectory())) await rm(dest, { recursive: true, force: true });
  if (st.isDirectory()) {
    if (!existing || !existing.isDirectory()) await mkdir(dest, { mode: st.mode & 0o7777 });
    for (const e of await readdir(src)) await copyTree(join(src, e), join(dest, e), n);
    await chmod(dest, st.mode & 0o7777);
  } else if (st.isSymbolicLink()) {
    await symlink(await readlink(src), dest);
  } else if (st.isFile()) {
    const NOFOLLOW = constants.O_NOFOLLOW;
    const from = await open(src, constants.O_RDONLY | NOFOLLOW);
    try {
      const to = await open(dest, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | NOFOLLOW, st.mode & 0o7777);
      try {
        const buf = Buffer.alloc(1 << 16);
        for (;;) {
          const { bytesRead } = await from.read(buf, 0, buf.length);
          if (bytesRead === 0) break;
          await to.write(buf, 0, bytesRead);
        }
        await to.chmod(st.mode & 0o7777);
      } finally {
        await to.close();
      }
    } finally {
      await from.close();
    }
  } else return; // devices, fifos and sockets are not copied
  n.entries++;
  if (!st.isSymbolicLink()) await utimes(dest, st.atime, st.mtime).catch(() => undefined);
}
