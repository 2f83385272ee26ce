/**
 * Bytes under a directory (apparent sizes of files and symlinks, each inode once), walked
 * without following symlinks and stopped at a deadline: `complete` says whether it was reached.
 */
import { lstat, readdir } from "node:fs/promises";
import { join } from "node:path";

export interface SizeWalk {
  /** Date.now() after which walks stop. */
  deadline: number;
  /** dev:ino of files counted already (hard links, and layers shared between walks). */
  seen: Set<string>;
  /** False once any walk stopped early. */
  complete: boolean;
}

export function sizeWalk(budgetMs: number): SizeWalk {
  return { deadline: Date.now() + budgetMs, seen: new Set(), complete: true };
}

export async function dirSize(path: string, w: SizeWalk): Promise<number> {
  let bytes = 0;
  const stack = [path];
  while (stack.length > 0) {
    if (Date.now() > w.deadline) {
      w.complete = false;
      return bytes;
    }
    const dir = stack.pop()!;
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    for (const e of entries) {
      const p = join(dir, e.name);
      if (e.isDirectory()) { stack.push(p); continue; }
      const st = await lstat(p).catch(() => undefined);
      if (!st) continue; // removed meanwhile
      const key = `${st.dev}:${st.ino}`;
      if (st.nlink > 1) {
        if (w.seen.has(key)) continue;
        w.seen.add(key);
      }
      bytes += st.size;
    }
  }
  return bytes;
}
