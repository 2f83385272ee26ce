/**
 * Runs an attach session in the terminal: stdin (raw when -t on a TTY) goes to the container,
 * its output comes back, window size changes follow, and the container's exit code is returned.
 */
import type { EngineClient } from "../../providers/local-runtime/engine/engine-client.js";
import { attachError, openAttach } from "../../providers/local-runtime/engine/attach-client.js";
import { FRAME, FrameDecoder, encodeFrame } from "../../providers/local-runtime/engine/attach-protocol.js";
import type { CommandIO } from "../command.js";

export interface AttachOptions {
  tty: boolean;
  stdin: boolean;
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
  const onIn = (d: Buffer | string) => send(FRAME.stdin, typeof d === "string" ? Buffer.from(d) : d);
  const onEnd = () => send(FRAME.stdinEnd);
  if (o.tty) { resize(); stdout.on("resize", resize); }
  if (raw) stdin.setRawMode!(true);
  if (o.stdin) { stdin.on("data", onIn); stdin.on("end", onEnd); stdin.resume(); }
  try {
    return await new Promise<number>((resolve, reject) => {
      const dec = new FrameDecoder();
      let done = false;
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
