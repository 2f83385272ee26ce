/**
 * The engine's state root and run directory are closed to every other user (Docker's fix for
 * CVE-2021-41091): image layers keep their setuid binaries and volumes their data, so one path
 * under the root that a local user could reach would hand them root. The directories the engine
 * owns are 0700 and its own files 0600; what containers see (a layer's content, a volume's
 * `_data`, a rootfs) keeps the modes the image or the container gave it, unreachable from outside.
 *
 * 0700 rather than Docker's 0711: no process of another uid ever walks these paths. Overlay
 * lower and upper directories are reached with the credentials of the mounter (root); runc
 * mounts the rootfs, volumes and bind mounts as root before it changes to the container's user,
 * and after pivot_root the container sees its files through its own mount namespace.
 */
import { chmod, lstat, mkdir, readdir } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { Layout } from "../layout.js";
import { runtimeError } from "../runtime-error.js";
import { needsRoot } from "./needs-root.js";

export const CLOSED_DIR = 0o700;
export const CLOSED_FILE = 0o600;

/** Gives `path` `mode` when it exists with more bits (an install by an older version). */
async function tighten(path: string, mode: number, kind: "dir" | "file"): Promise<void> {
  const st = await lstat(path).catch(missingIsUndefined);
  if (st === undefined || st.isSymbolicLink()) return;
  if (kind === "dir" ? !st.isDirectory() : !st.isFile()) return;
  if ((st.mode & 0o7777 & ~mode) !== 0) await chmod(path, mode);
}

/** The directories of `dir` (not their content: that is a layer's, a volume's or a container's). */
async function childDirs(dir: string): Promise<string[]> {
  const names = (await readdir(dir).catch(missingIsUndefined)) ?? [];
  return names.map((n) => join(dir, n));
}

/** A path that is not there is nothing to close; any other failure (EACCES) is the caller's. */
function missingIsUndefined(e: NodeJS.ErrnoException): undefined {
  if (e.code === "ENOENT" || e.code === "ENOTDIR") return undefined;
  throw e;
}

/** A state root or run directory of "/" would close the whole host. */
function checkPath(what: string, path: string): void {
  if (resolve(path) === "/")
    throw runtimeError("Invalid", "BAD_ROOT", `the engine's ${what} cannot be / (it is made 0700)`, "point INFRA_ROOT / INFRA_RUN at a directory of infra's own, such as /var/lib/infra and /run/infra");
}

/** EACCES/EPERM here means a user other than root: say so, not an internal error. */
async function asRoot<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "EACCES" || code === "EPERM") throw needsRoot(what, e);
    throw e;
  }
}

/**
 * Creates the state root and the image store's directories closed, or closes those an older
 * version left open: the root, the store's own directories (images, blobs, layers and each
 * layer's directory, volumes and each volume's directory, containers, trash, builds) become 0700.
 */
export async function closeStateRoot(layout: Layout): Promise<void> {
  checkPath("state root", layout.root);
  await asRoot(`to use the state root ${layout.root}`, async () => {
    await mkdir(layout.root, { recursive: true, mode: CLOSED_DIR });
    await tighten(layout.root, CLOSED_DIR, "dir");
    for (const d of [layout.blobsDir, layout.layersDir]) await mkdir(d, { recursive: true, mode: CLOSED_DIR });
    const images = layout.imagesDir;
    const dirs = [
      images, join(images, "blobs"), layout.blobsDir, layout.layersDir, join(images, "build-cache"),
      layout.containersDir, layout.trashDir, layout.volumesDir, join(layout.root, "build"),
      ...(await childDirs(layout.layersDir)), ...(await childDirs(layout.volumesDir)), ...(await childDirs(layout.containersDir)),
    ];
    for (const d of dirs) await tighten(d, CLOSED_DIR, "dir");
  });
}

/** The run directory closed, with its directories (runc state, sockets, exits, netns pins) and the engine's log. */
export async function closeRunDir(layout: Layout): Promise<void> {
  checkPath("run directory", layout.run);
  await asRoot(`to use the run directory ${layout.run}`, async () => {
    await mkdir(layout.run, { recursive: true, mode: CLOSED_DIR });
    await tighten(layout.run, CLOSED_DIR, "dir");
    for (const d of await childDirs(layout.run)) await tighten(d, CLOSED_DIR, "dir");
    for (const f of ["engine.log", "engine.pid"]) await tighten(join(layout.run, f), CLOSED_FILE, "file");
  });
}
