/**
 * The client side of conmon's attach socket (`<socket-dir>/<id>/attach`, SOCK_SEQPACKET): each
 * packet from conmon is `[stream id][bytes]` (2 stdout, 3 stderr); what we send is the
 * container's stdin, and shutting our side down closes it. Node has no SEQPACKET sockets, so this
 * uses the `node-unix-socket` addon. Terminal size goes through the bundle's `ctl` fifo.
 */
import { closeSync, constants, openSync } from "node:fs";
import { open } from "node:fs/promises";
import { join } from "node:path";
import { runtimeError } from "../runtime-error.js";

export interface ConmonAttachment {
  /** stream 2 = stdout, 3 = stderr. */
  onOutput(cb: (stream: number, data: Buffer) => void): void;
  onEnd(cb: () => void): void;
  write(data: Buffer): void;
  /** Ends the container's stdin (when conmon was started with -i). */
  endStdin(): void;
  close(): void;
}

interface SeqSocket {
  on(ev: "data", cb: (b: Buffer) => void): void;
  on(ev: "end" | "close", cb: () => void): void;
  on(ev: "error", cb: (e: Error) => void): void;
  connect(path: string, cb?: () => void): void;
  write(b: Buffer): void;
  end(): void;
  destroy(): void;
}

export async function attachConmon(socketDir: string, id: string, timeoutMs = 5000): Promise<ConmonAttachment> {
  let mod: { SeqpacketSocket: new () => SeqSocket };
  try {
    mod = (await import("node-unix-socket")) as unknown as typeof mod;
  } catch (e) {
    throw runtimeError("Unavailable", "ATTACH_UNAVAILABLE", "attaching needs the node-unix-socket package (SOCK_SEQPACKET)", "npm install node-unix-socket", e);
  }
  // The socket path may pass the 108-byte limit of sun_path: go through an fd of its directory.
  let dirFd: number;
  try {
    dirFd = openSync(join(socketDir, id), constants.O_RDONLY | constants.O_DIRECTORY);
  } catch (e) {
    throw runtimeError("Conflict", "ATTACH_NO_SOCKET", `container ${id} has no attach socket (is it running?)`, undefined, e);
  }
  const s = new mod.SeqpacketSocket();
  const outputs: Array<(stream: number, data: Buffer) => void> = [];
  const ends: Array<() => void> = [];
  let ended = false;
  s.on("data", (b) => { for (const cb of outputs) cb(b[0] ?? 2, b.subarray(1)); });
  const finish = () => { if (!ended) { ended = true; for (const cb of ends) cb(); } };
  s.on("end", finish);
  s.on("close", finish);
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("timeout")), timeoutMs);
      s.on("error", (e) => { clearTimeout(timer); reject(e); });
      try {
        s.connect(`/proc/self/fd/${dirFd}/attach`, () => { clearTimeout(timer); resolve(); });
      } catch (e) {
        clearTimeout(timer);
        reject(e as Error);
      }
    });
  } catch (e) {
    s.destroy();
    throw runtimeError("Unavailable", "ATTACH_FAILED", `cannot attach to container ${id}: ${(e as Error).message}`, undefined, e);
  } finally {
    closeSync(dirFd);
  }
  s.on("error", () => finish());
  return {
    onOutput: (cb) => { outputs.push(cb); },
    onEnd: (cb) => { if (ended) cb(); else ends.push(cb); },
    write: (d) => { if (!ended && d.length) s.write(d); },
    endStdin: () => { if (!ended) s.end(); },
    close: () => s.destroy(),
  };
}

/** Sets the container terminal's size (conmon ctl message 1). */
export async function resizeConmonTerminal(bundle: string, rows: number, cols: number): Promise<void> {
  const r = Math.max(1, Math.min(1000, Math.round(rows))), c = Math.max(1, Math.min(1000, Math.round(cols)));
  const fh = await open(join(bundle, "ctl"), constants.O_WRONLY | constants.O_NONBLOCK).catch(() => undefined);
  if (!fh) return;
  try {
    await fh.write(`1 ${r} ${c}\n`);
  } finally {
    await fh.close();
  }
}
