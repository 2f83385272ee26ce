/**
 * infra-shim (native/infra-shim.c): the engine's own monitor for containers without a terminal or
 * stdin. Same flags, sync pipe, log, ctl fifo, attach socket and exit file as conmon, but one
 * `runc run -d` (create and start in one process) and no daemonising: the process started (by the
 * engine, or ahead of need by its infra-host: SpareShims) is the monitor, in its own session, and
 * the container's parent once runc has exited.
 */
import { rmSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import type { HostHelper } from "../host/host-helper.js";
import { findNativeBinary } from "../host/native-binary.js";
import { conmonArgs, type ConmonOptions } from "./conmon.js";
import { spawnMonitor } from "./sync-pipe.js";

/** The built shim, or undefined (then conmon runs every container). */
export function findShim(): string | undefined {
  return findNativeBinary("infra-shim");
}

/** conmon's flags for the same container; the shim refuses -t and -i. */
export function shimArgs(o: ConmonOptions): string[] {
  return conmonArgs({ ...o, terminal: false, stdin: false });
}

/** Resolves once the container runs (it may have exited already), with its pid and the shim's. */
export function startShim(o: ConmonOptions, binary: string, spares?: SpareShims): Promise<{ pid: number; monitorPid: number | undefined }> {
  return spawnMonitor({
    name: "infra-shim", binary, args: shimArgs(o), id: o.id, runcVerb: "run",
    ...(o.timeoutMs !== undefined ? { timeoutMs: o.timeoutMs } : {}),
  }, spares?.take(binary));
}

/** How long a spare shim started by infra-host has to connect. */
const SPARE_HELLO_MS = 5000;

/** A spare shim connected to the engine: its pid, and the socket that carries its arguments and sync message. */
export interface SpareShim {
  pid: number;
  socket: Socket;
}

/**
 * One infra-shim started ahead of need: the engine's infra-host starts `infra-shim --spare-socket`,
 * which connects to the engine's socket here and waits for its arguments. A start hands them to it
 * instead of forking the engine, which blocks its main thread ~2 ms (copying the page tables of a
 * 60 MB process) and costs as much CPU. The engine asks for the next spare once its reply has gone
 * (not while runc runs: the two compete for the two cores). infra-host is the spares' parent and
 * reaps them; closing the socket (close, or the engine's death) ends an unused spare.
 */
export class SpareShims {
  private server: Server | undefined;
  private waiting: SpareShim | undefined;
  private spawning = false;
  private closed = false;

  constructor(private readonly binary: string, readonly socketPath: string, private readonly helper: HostHelper) {}

  /** Listens on the socket (root only); false when that fails (then starts fork as before). */
  async listen(): Promise<boolean> {
    rmSync(this.socketPath, { force: true });
    const server = createServer((sock) => this.accept(sock));
    const oldMask = process.umask(0o177);
    try {
      await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(this.socketPath, () => resolve());
      });
    } catch {
      return false;
    } finally {
      process.umask(oldMask);
    }
    server.unref();
    this.server = server;
    return true;
  }

  /** A spare says `spare PID` first; only the one asked for is kept. */
  private accept(sock: Socket): void {
    sock.on("error", () => undefined);
    let hello = "";
    const onData = (d: Buffer) => {
      hello += d.toString("latin1");
      const nl = hello.indexOf("\n");
      if (nl < 0) {
        if (hello.length > 64) sock.destroy();
        return;
      }
      sock.off("data", onData);
      sock.pause();
      const m = /^spare (\d+)$/.exec(hello.slice(0, nl));
      if (m === null || !this.spawning || this.closed || this.waiting !== undefined) {
        sock.destroy();
        return;
      }
      this.spawning = false;
      sock.unref(); // a waiting spare does not keep the engine's event loop alive
      const spare = { pid: Number(m[1]), socket: sock };
      sock.once("close", () => { if (this.waiting === spare) this.waiting = undefined; });
      this.waiting = spare;
    };
    sock.on("data", onData);
  }

  /** The waiting spare if it is of this binary and still connected (refill() asks for the next). */
  take(binary: string): SpareShim | undefined {
    const s = this.waiting;
    this.waiting = undefined;
    if (s === undefined || binary !== this.binary || s.socket.destroyed) {
      s?.socket.destroy();
      return undefined;
    }
    s.socket.ref();
    return s;
  }

  refill(): void {
    if (this.closed || this.server === undefined || this.waiting !== undefined || this.spawning) return;
    this.spawning = true;
    // One that never says hello (it died first) does not stop the next refill for long.
    const giveUp = () => setTimeout(() => { if (this.waiting === undefined) this.spawning = false; }, SPARE_HELLO_MS).unref();
    this.helper.request("spawn-shim", { bin: this.binary, socket: this.socketPath }).then(giveUp, () => { this.spawning = false; });
  }

  close(): void {
    this.closed = true;
    this.waiting?.socket.destroy();
    this.waiting = undefined;
    this.server?.close();
    this.server = undefined;
    rmSync(this.socketPath, { force: true });
  }
}
