/**
 * Reads a tar archive as it arrives: each member's header, then its data as a stream of chunks,
 * so a layer is never held in memory (only one header or PAX record at a time, each bounded by
 * the limits). Whatever follows the end marker is read too (and dropped), so that a digest taken
 * over the input covers every byte.
 */
import type { TarHeader } from "./tar-entry.js";
import { BLOCK, TarHeaderParser, paddedSize } from "./tar-header.js";
import type { TarLimits } from "./tar-limits.js";
import { truncated } from "./tar-reader.js";

export interface TarStreamEntry {
  header: TarHeader;
  /** The member's data (`header.size` bytes); what the caller leaves unread is skipped. */
  body: AsyncIterable<Buffer>;
}

/** Bytes pulled from an async source on demand, a few chunks buffered at most. */
class ByteQueue {
  private chunks: Buffer[] = [];
  private have = 0;
  private ended = false;
  private readonly it: AsyncIterator<Uint8Array>;
  /** Bytes handed out so far: the offset in messages. */
  offset = 0;

  constructor(source: AsyncIterable<Uint8Array>) {
    this.it = source[Symbol.asyncIterator]();
  }

  private async pull(): Promise<boolean> {
    if (this.ended) return false;
    const r = await this.it.next();
    if (r.done === true) {
      this.ended = true;
      return false;
    }
    const b = Buffer.isBuffer(r.value) ? r.value : Buffer.from(r.value.buffer, r.value.byteOffset, r.value.byteLength);
    if (b.length > 0) {
      this.chunks.push(b);
      this.have += b.length;
    }
    return true;
  }

  /** Exactly `n` bytes; undefined when the input ended before any of them. */
  async read(n: number, what: string): Promise<Buffer | undefined> {
    while (this.have < n && (await this.pull())) {}
    if (this.have === 0) return undefined;
    if (this.have < n) throw truncated(what, this.offset);
    const out = this.chunks.length === 1 || this.chunks[0]!.length >= n ? undefined : Buffer.concat(this.chunks);
    if (out !== undefined) this.chunks = [out];
    const first = this.chunks[0]!;
    const piece = first.subarray(0, n);
    if (first.length === n) this.chunks.shift();
    else this.chunks[0] = first.subarray(n);
    this.have -= n;
    this.offset += n;
    return piece;
  }

  /** The next bytes, at most `max` of them, as they come. */
  async chunk(max: number, what: string): Promise<Buffer> {
    while (this.have === 0) if (!(await this.pull())) throw truncated(what, this.offset);
    const first = this.chunks[0]!;
    let piece = first;
    if (first.length <= max) this.chunks.shift();
    else {
      piece = first.subarray(0, max);
      this.chunks[0] = first.subarray(max);
    }
    this.have -= piece.length;
    this.offset += piece.length;
    return piece;
  }

  async skip(n: number, what: string): Promise<void> {
    for (let left = n; left > 0; ) left -= (await this.chunk(left, what)).length;
  }

  /** Skips up to `n` bytes: the padding after a member, which some writers leave off at the very end. */
  async skipPadding(n: number): Promise<void> {
    for (let left = n; left > 0; ) {
      while (this.have === 0) if (!(await this.pull())) return;
      left -= (await this.chunk(left, "padding")).length;
    }
  }

  /** Reads the rest of the input, keeping nothing. */
  async drain(): Promise<void> {
    this.chunks = [];
    this.have = 0;
    while (await this.pull()) this.chunks = [];
    this.have = 0;
  }

  async close(): Promise<void> {
    await this.it.return?.();
  }
}

/** Every member of the tar archive `source` carries, in order; one at a time. */
export async function* readTarStream(source: AsyncIterable<Uint8Array>, limits: TarLimits): AsyncGenerator<TarStreamEntry> {
  const q = new ByteQueue(source);
  const parser = new TarHeaderParser(limits);
  try {
    for (;;) {
      const at = q.offset;
      const block = await q.read(BLOCK, "a header");
      if (block === undefined) return; // no end marker: the input simply ended on a header boundary
      const step = parser.next(block, at);
      if (step.kind === "end") {
        await q.drain();
        return;
      }
      if (step.kind === "meta") {
        const data = (await q.read(step.size, "a PAX or long-name record")) ?? Buffer.alloc(0);
        if (data.length < step.size) throw truncated("a PAX or long-name record", q.offset);
        await q.skipPadding(paddedSize(step.size) - step.size);
        parser.meta(step.type, data);
        continue;
      }
      const what = `entry '${step.header.path}'`;
      let left = step.header.size;
      const body = (async function* () {
        while (left > 0) {
          const c = await q.chunk(left, what);
          left -= c.length;
          yield c;
        }
      })();
      yield { header: step.header, body };
      await q.skip(left, what);
      await q.skipPadding(paddedSize(step.header.size) - step.header.size);
    }
  } finally {
    await q.close();
  }
}
