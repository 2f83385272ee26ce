/**
 * Reads a text file the CLI parses (a compose file, a .env or env_file) with a bound on its size,
 * so that a huge file, /dev/zero or a FIFO fails with a clear error instead of filling memory or hanging.
 */
import { promises as fs } from "node:fs";

/** Real compose files are a few KB; generated ones rarely pass a few hundred. */
export const MAX_COMPOSE_FILE_BYTES = 4 * 1024 * 1024;

export type BoundedText = { ok: true; text: string } | { ok: false; why: "too-large" | "not-a-file"; size?: number };

export async function readBoundedText(file: string, limit = MAX_COMPOSE_FILE_BYTES): Promise<BoundedText> {
  // stat before open: opening a FIFO for reading would wait for a writer.
  const st = await fs.stat(file);
  if (!st.isFile()) return { ok: false, why: "not-a-file" };
  if (st.size > limit) return { ok: false, why: "too-large", size: st.size };
  const fh = await fs.open(file, "r");
  try {
    // The file may grow between stat and read: never take more than limit + 1 bytes.
    const buf = Buffer.alloc(limit + 1);
    let n = 0;
    for (;;) {
      const { bytesRead } = await fh.read(buf, n, buf.length - n, null);
      if (bytesRead === 0) break;
      n += bytesRead;
      if (n > limit) return { ok: false, why: "too-large", size: n };
    }
    return { ok: true, text: buf.subarray(0, n).toString("utf8") };
  } finally {
    await fh.close();
  }
}

export function formatBytes(n: number): string {
  return n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1).replace(/\.0$/, "")} MB` : `${Math.ceil(n / 1024)} KB`;
}
