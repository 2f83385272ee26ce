/**
 * Runs an attach session in the terminal: stdin (raw when -t on a TTY) goes to the container,
 * its output comes back, window size changes follow, and the container's exit code is returned.
 * With detach keys (`infra attach`), typing them ends the session and leaves the container running.
 */
import type { EngineClient } from "../../providers/local-runtime/engine/engine-client.js";
import { attachError, openAttach } from "../../providers/local-runtime/engine/attach-client.js";
import { FRAME, FrameDecoder, encodeFrame } from "../../providers/local-runtime/engine/attach-protocol.js";
import { InfraError } from "../../diag/infra-error.js";
import type { CommandIO } from "../command.js";

export interface AttachOptions {
  tty: boolean;
  stdin: boolean;
  /** Bytes that detach (from parseDetachKeys); the session then returns 0 and the container runs on. */
  detachKeys?: number[];
  /** Read stdin for the detach keys without sending it (a container started without -i). */
  watchOnly?: boolean;
}

const CTRL_SPECIAL: Record<string, number> = { "@": 0, "[": 27, "\\": 28, "]": 29, "^": 30, "_": 31 };

export const DEFAULT_DETACH_KEYS = "ctrl-p,ctrl-q";

/** The bytes of a `--detach-keys` value (Docker's default when absent); a usage error when invalid. */
export function detachKeysFlag(text: string = DEFAULT_DETACH_KEYS): number[] {
  const keys = parseDetachKeys(text);
  if (!keys)
    throw new InfraError("INFRA_CLI_ATTACH_DETACH_KEYS", `invalid --detach-keys "${text}"`, { hint: "a comma-separated list of a single character or ctrl-<a-z, @, [, \\, ], ^, _>, e.g. ctrl-p,ctrl-q", exitCode: 2 });
  return keys;
}

/** Docker's `--detach-keys` syntax: `ctrl-p,ctrl-q`, `a`, `ctrl-@`... as bytes; undefined when invalid. Pure. */
export function parseDetachKeys(spec: string): number[] | undefined {
  const out: number[] = [];
  for (const k of spec.split(",")) {
    const ctrl = /^ctrl-(.)$/.exec(k);
    if (ctrl) {
      const c = ctrl[1]!;
      if (/^[a-z]$/.test(c)) out.push(c.charCodeAt(0) - 96);
      else if (CTRL_SPECIAL[c] !== undefined) out.push(CTRL_SPECIAL[c]);
      else return undefined;
    } else if (k.length === 1) out.push(k.charCodeAt(0));
    else return undefined;
  }
  return out.length > 0 ? out : undefined;
}

/**
 * Finds the detach sequence in input that arrives in pieces. Bytes that may start the sequence
 * are held back until it is clear they do not (then they go on, as Docker does). Pure.
 */
export class DetachMatcher {
  private held = 0;
  constructor(private readonly keys: readonly number[]) {}

  /** The bytes to forward, and whether the whole sequence was typed (input after it is dropped). */
  push(chunk: Buffer): { forward: Buffer; detach: boolean } {
    const out: number[] = [];
    for (const b of chunk) {
      if (b === this.keys[this.held]) {
        this.held++;
        if (this.held === this.keys.length) { this.held = 0; return { forward: Buffer.from(out), detach: true }; }
        continue;
      }
      // A broken prefix is sent as typed; the current byte may start a new match.
      out.push(...this.keys.slice(0, this.held));
      this.held = 0;
      if (b === this.keys[0]) { this.held = 1; if (this.keys.length === 1) return { forward: Buffer.from(out), detach: true }; }
      else out.push(b);
    }
    return { forward: Buffer.from(out), detach: false };
  }
}

type TtyIn = NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (raw: boolean) => void };
type TtyOut = NodeJS.WritableStream & { rows?: number; columns?: number; on(ev: "resize", cb: () => void): unknown; off?(ev: "resize", cb: () => void): unknown };

export async function runAttached(engine: EngineClient, path: string, io: CommandIO, o: AttachOptions): Promise<number> {
  const { socket, head } = await openAttach(engine.socketPath, path);
  const stdin = io.stdin as TtyIn;
  const stdout = io.stdout as TtyOut;
  const raw = o.tty && o.stdin && stdin.isTTY === true && typeof stdin.setRawMode === "function";
  const send = (type: number, payload: Buffer | string = "") => { if (!socket.destroyed) socket.write(encodeFrame(type as 1, payload)); };
  const resize = () => { if (stdout.rows && stdout.columns) send(FRAME.resize, `${stdout.rows} ${stdout.columns}`); };
  const matcher = o.detachKeys ? new DetachMatcher(o.detachKeys) : undefined;
  let detached: (() => void) | undefined;
  const onIn = (d: Buffer | string) => {
    let data = typeof d === "string" ? Buffer.from(d) : d;
    if (matcher) {
      const m = matcher.push(data);
      data = m.forward;
      if (m.detach) detached?.();
    }
    if (data.length && !o.watchOnly) send(FRAME.stdin, data);
  };
  const onEnd = () => { if (!o.watchOnly) send(FRAME.stdinEnd); };
  if (o.tty) { resize(); stdout.on("resize", resize); }
  if (raw) stdin.setRawMode!(true);
  if (o.stdin) { stdin.on("data", onIn); stdin.on("end", onEnd); stdin.resume(); }
  try {
    return await new Promise<number>((resolve, reject) => {
      const dec = new FrameDecoder();
      let done = false;
      // Closing our side detaches: the engine leaves the container running.
      detached = () => { if (!done) { done = true; resolve(0); } };
      const onData = (chunk: Buffer) => {
        for (const f of dec.push(chunk)) {
          if (f.type === FRAME.stdout) io.stdout.write(f.payload);
          else if (f.type === FRAME.stderr) io.stderr.write(f.payload);
          else if (f.type === FRAME.exit) { done = true; resolve((JSON.parse(f.payload.toString()) as { exitCode: number }).exitCode); }
          else if (f.type === FRAME.error) { done = true; reject(attachError(f.payload)); }
        }
      };
      if (head.length) onData(head);
      socket.on("data", onData);
      socket.on("close", () => { if (!done) reject(attachError(Buffer.from(JSON.stringify({ category: "Unavailable", code: "INFRA_RUNTIME_ATTACH_LOST", message: "the engine closed the attach session before the container exited" })))); });
      socket.on("error", () => undefined);
    });
  } finally {
    if (raw) stdin.setRawMode!(false);
    if (o.stdin) { stdin.off("data", onIn); stdin.off("end", onEnd); stdin.pause(); }
    if (o.tty) stdout.off?.("resize", resize);
    socket.destroy();
  }
}
