/**
 * Attach sessions: `POST /containers/:id/attach[?start=1]` upgraded to the framed protocol of
 * attach-protocol.ts. With start=1 the engine attaches to conmon between create and `runc start`,
 * so no output is missed (run -i / run -it). The session ends with an exit frame carrying the
 * container's exit code; a client that goes away detaches and leaves the container running.
 */
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { isProviderError } from "../../contract.js";
import { attachConmon, resizeConmonTerminal, type ConmonAttachment } from "../container/conmon-attach.js";
import { containerPaths } from "../layout.js";
import { runtimeError } from "../runtime-error.js";
import { ATTACH_UPGRADE, FRAME, FrameDecoder, encodeFrame } from "./attach-protocol.js";
import type { EngineContext } from "./engine-routes.js";

export const ATTACH_PATH = /^\/containers\/([^/]+)\/attach$/;

export async function handleAttachUpgrade(ctx: EngineContext, req: IncomingMessage, socket: Duplex): Promise<void> {
  const url = new URL(req.url ?? "/", "http://engine");
  const m = ATTACH_PATH.exec(url.pathname);
  if (!m || req.method !== "POST" || String(req.headers.upgrade).toLowerCase() !== ATTACH_UPGRADE) {
    socket.end("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
    return;
  }
  socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: ${ATTACH_UPGRADE}\r\nConnection: Upgrade\r\n\r\n`);
  const send = (type: number, payload: Buffer | string = "") => { if (!socket.destroyed) socket.write(encodeFrame(type as 1, payload)); };
  let att: ConmonAttachment | undefined;
  let bundle: string | undefined;
  // Input that arrives before conmon's socket is connected waits here.
  const early: Array<{ type: number; payload: Buffer }> = [];
  let clientGone = false;
  const apply = (f: { type: number; payload: Buffer }) => {
    if (f.type === FRAME.stdin) att!.write(f.payload);
    else if (f.type === FRAME.stdinEnd) att!.endStdin();
    else if (f.type === FRAME.resize && bundle) {
      const [rows, cols] = f.payload.toString().split(" ").map(Number);
      void resizeConmonTerminal(bundle, rows ?? 24, cols ?? 80).catch(() => undefined);
    }
  };
  const dec = new FrameDecoder();
  socket.on("data", (chunk: Buffer) => { for (const f of dec.push(chunk)) { if (att) apply(f); else early.push(f); } });
  socket.on("close", () => { clientGone = true; att?.close(); });
  socket.on("error", () => undefined);
  const wire = async (id: string) => {
    bundle = containerPaths(ctx.manager.layout, id).bundle;
    att = await attachConmon(ctx.manager.layout.socketDir, id);
    att.onOutput((stream, data) => send(stream === 3 ? FRAME.stderr : FRAME.stdout, data));
    for (const f of early.splice(0)) apply(f);
  };
  let id: string;
  try {
    const rec = ctx.manager.get(decodeURIComponent(m[1]!));
    id = rec.id;
    if (url.searchParams.get("start") === "1") await ctx.manager.start(rec.id, false, { beforeStart: wire });
    else {
      if (rec.state !== "running")
        throw runtimeError("Conflict", "CONTAINER_NOT_RUNNING", `cannot attach to container '${rec.name}': it is ${rec.state}`,
          rec.state === "paused" ? "unpause it first" : "start it first (`infra start NAME`), or read its output with `infra logs NAME`");
      await wire(rec.id);
    }
  } catch (e) {
    const err = isProviderError(e) ? { category: e.category, code: e.code, message: e.message, hint: e.hint } : { category: "Internal", code: "INFRA_RUNTIME_INTERNAL", message: (e as Error).message };
    send(FRAME.error, JSON.stringify(err));
    socket.end();
    return;
  }
  const gone = new Promise<void>((r) => socket.once("close", () => r()));
  // Read as the exit is announced: an autoRemove (`--rm`) container is gone soon after.
  let done: ReturnType<typeof ctx.manager.find>;
  await Promise.race([ctx.manager.waitExit(id).then(() => { done = ctx.manager.lastRecord(id); }), gone]);
  if (clientGone) return;
  // conmon sends the last output before it writes the exit file; give the socket a moment to drain.
  await Promise.race([new Promise<void>((r) => att!.onEnd(r)), new Promise((r) => setTimeout(r, 1000))]);
  send(FRAME.exit, JSON.stringify({ exitCode: done?.exitCode ?? -1, oomKilled: done?.oomKilled ?? false }));
  att?.close();
  socket.end();
}
