/**
 * Frames of an attach session between the CLI and the engine (over an upgraded HTTP connection):
 * `[type:1][length:4, big-endian][payload]`. Stream ids 1–3 are conmon's (stdin, stdout, stderr).
 */
export const FRAME = { stdin: 1, stdout: 2, stderr: 3, resize: 4, stdinEnd: 5, exit: 6, error: 7 } as const;
export type FrameType = (typeof FRAME)[keyof typeof FRAME];

export const ATTACH_UPGRADE = "infra-attach";

export function encodeFrame(type: FrameType, payload: Buffer | string = Buffer.alloc(0)): Buffer {
  const body = typeof payload === "string" ? Buffer.from(payload, "utf8") : payload;
  const head = Buffer.alloc(5);
  head[0] = type;
  head.writeUInt32BE(body.length, 1);
  return Buffer.concat([head, body]);
}

/** Splits a byte stream into frames; keeps an incomplete tail for the next chunk. */
export class FrameDecoder {
  private buf: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): Array<{ type: number; payload: Buffer }> {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    const out: Array<{ type: number; payload: Buffer }> = [];
    while (this.buf.length >= 5) {
      const len = this.buf.readUInt32BE(1);
      if (this.buf.length < 5 + len) break;
      out.push({ type: this.buf[0]!, payload: this.buf.subarray(5, 5 + len) });
      this.buf = this.buf.subarray(5 + len);
    }
    return out;
  }
}
