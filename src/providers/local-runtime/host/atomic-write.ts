/** Writes that a crash can interrupt without leaving a half-written file behind. */
import { randomBytes } from "node:crypto";
import { mkdir, open, rename, rm } from "node:fs/promises";
import { dirname } from "node:path";

export interface AtomicWriteOptions {
  /**
   * fsync before the rename (default true). Without it the file is still never half-written for
   * a crash of the process; only a crash of the host can lose (or empty) the newest version.
   */
  sync?: boolean;
}

export async function writeFileAtomic(path: string, data: string | Uint8Array, mode = 0o644, opts: AtomicWriteOptions = {}): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${randomBytes(4).toString("hex")}.tmp`;
  const fh = await open(tmp, "w", mode);
  try {
    await fh.writeFile(data);
    if (opts.sync !== false) await fh.sync();
  } finally {
    await fh.close();
  }
  try {
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}

export async function writeJsonAtomic(path: string, value: unknown, opts: AtomicWriteOptions = {}): Promise<void> {
  await writeFileAtomic(path, JSON.stringify(value, null, 2) + "\n", 0o644, opts);
}
