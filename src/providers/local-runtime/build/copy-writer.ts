/**
 * Writes planned COPY/ADD items into a mounted build rootfs: parents are created (0755, owned
 * by the `--chown` user or root), an existing entry of another type is replaced, and every
 * path is resolved inside the root so that symlinks in the image never reach the host.
 */
import { chmod, copyFile, lchown, link, lstat, mkdir, rm, symlink, writeFile } from "node:fs/promises";
import { basename, join, posix } from "node:path";
import type { CopyItem } from "./copy-plan.js";
import { mkdirInRoot, resolveInRoot } from "./scoped-path.js";

export async function writeCopyItems(rootfs: string, items: readonly CopyItem[], newDirOwner: { uid: number; gid: number }): Promise<void> {
  for (const it of items) {
    const parent = await mkdirInRoot(rootfs, posix.dirname(it.dest), newDirOwner);
    const name = posix.basename(it.dest);
    if (name === "" || it.dest === "/") {
      // Copying a directory onto the root: only its contents are written.
      continue;
    }
    const host = join(parent, name);
    const st = await lstat(host).catch(() => undefined);
    if (it.type === "dir") {
      if (st?.isSymbolicLink()) {
        // A symlinked directory in the image (e.g. /bin -> usr/bin) is followed, as Docker does.
        const real = await resolveInRoot(rootfs, it.dest);
        const rst = await lstat(real).catch(() => undefined);
        if (rst?.isDirectory()) continue;
        await rm(host, { force: true });
      } else if (st && !st.isDirectory()) await rm(host, { force: true });
      if (!st || !st.isDirectory()) {
        await mkdir(host, { mode: 0o755 });
        await lchown(host, it.uid, it.gid);
        await chmod(host, it.mode);
      }
      continue;
    }
    if (st) await rm(host, { recursive: true, force: true });
    switch (it.type) {
      case "file":
        if (it.data !== undefined) await writeFile(host, it.data, { mode: 0o600 });
        else await copyFile(it.src!, host);
        await lchown(host, it.uid, it.gid);
        await chmod(host, it.mode);
        break;
      case "symlink":
        await symlink(it.linkname, host);
        await lchown(host, it.uid, it.gid);
        break;
      case "hardlink": {
        const target = join(await resolveInRoot(rootfs, posix.dirname(it.linkname)), basename(it.linkname));
        await link(target, host);
        break;
      }
    }
  }
}
