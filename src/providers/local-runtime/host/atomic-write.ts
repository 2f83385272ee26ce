/** Writes that a crash can interrupt without leaving a half-written file behind. */
import { randomBytes } from "node:crypto";
import { mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
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
  const tmp = `${path}.${randomBytes(4).toString("hex")}.tmp`;
  if (opts.sync === false) return writeFileAtomicNow(path, tmp, data, mode);
  await mkdir(dirname(path), { recursive: true });
  const fh = await open(tmp, "w", mode);
  try {
    await fh.writeFile(data);
    await fh.sync();
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

/**
 * Without fsync a write only reaches the page cache (microseconds): done at once, it costs the
 * event loop less than the five round trips through the thread pool it would take otherwise.
 */
function writeFileAtomicNow(path: string, tmp: string, data: string | Uint8Array, mode: number): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(tmp, data, { mode });
  try {
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

export async function writeJsonAtomic(path: string, value: unknown, opts: AtomicWriteOptions = {}): Promise<void> {
  await writeFileAtomic(path, JSON.stringify(value, null, 2) + "\n", 0o644, opts);
}
