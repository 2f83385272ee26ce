/**
 * `POST /run`: `infra run` in one request, so that a short container costs one round trip. The
 * engine creates and starts the container, streams its output as it comes, and at the exit
 * removes it (`rm`, kept on the record as autoRemove) before it sends the final record.
 * `--rm` does not depend on the client: a client that goes away does not keep the container.
 *
 * Two forms of the request body:
 * - `{spec, rm, detach, pull}` (the Node CLI): NDJSON events, in this order: `{pull}`... while the
 *   image is pulled, `{created}`, `{started}`, then (unless `detach`) `{log}`... and `{exited}`; or
 *   `{error}` once a `pull` or `created` went out. A failure before any event is an ordinary error response.
 * - `{argv, cwd, env}` (the native launcher, engine-run-argv.ts): the command line of `infra run`,
 *   parsed by the CLI layer's handler the engine was given, answered with attach frames.
 */
import type { ServerResponse } from "node:http";
import type { ContainerSpec } from "../../../graph/specs.js";
import { isProviderError } from "../../contract.js";
import type { ContainerRecord } from "../container/container-record.js";
import { followContainerLogs } from "../container/log-follow.js";
import type { LogLine } from "../container/log-file.js";
import type { PullPolicy } from "../registry/resolve-image.js";
import { ensureImage, pullPolicyOf, type PullEvent } from "./engine-pull.js";
import type { EngineContext } from "./engine-routes.js";

export interface RunRequest {
  spec: ContainerSpec;
  /** Remove the container (and its anonymous volumes) once it has exited. */
  rm?: boolean;
  /** Return once it runs, without its output or exit. */
  detach?: boolean;
  /** Docker's `--pull`: missing (default), always, never. */
  pull?: PullPolicy;
}

export type RunEvent =
  | { pull: PullEvent }
  | { created: ContainerRecord }
  | { started: ContainerRecord }
  | { log: LogLine }
  | { exited: ContainerRecord }
  | { error: RunErrorBody };

export interface RunErrorBody { category: string; code: string; message: string; hint?: string }

export async function handleRun(ctx: EngineContext, body: unknown, res: ServerResponse): Promise<void> {
  const req = (body ?? {}) as Partial<RunRequest>;
  const m = ctx.manager;
  let closed = false;
  res.on("close", () => { closed = true; });
  const send = (e: RunEvent) => {
    if (!res.headersSent) res.writeHead(200, { "content-type": "application/x-ndjson" });
    if (!closed) res.write(JSON.stringify(e) + "\n");
  };
  let created: ContainerRecord;
  try {
    const spec = (req.spec ?? {}) as ContainerSpec;
    await ensureImage(ctx, spec.image, pullPolicyOf(req.pull), (pull) => send({ pull }));
    // With rm the record says so: the engine removes it at the exit, also when it restarted meanwhile.
    created = await m.create(spec, req.rm ? { autoRemove: true } : {});
  } catch (e) {
    if (!res.headersSent) throw e; // nothing streamed yet: a plain error reply
    send({ error: runErrorBody(e) });
    res.end();
    return;
  }
  send({ created });
  try {
    await followRun(ctx, created, req, send, () => closed);
  } catch (e) {
    // After the header, a failure (a start that fails, a container removed meanwhile) goes in the stream.
    send({ error: runErrorBody(e) });
  }
  res.end();
}

/** Starts the created container and sends `started`, its output and `exited` (only `started` with detach). */
export async function followRun(ctx: EngineContext, created: ContainerRecord, req: Partial<RunRequest>, send: (e: RunEvent) => void, closed: () => boolean): Promise<void> {
  const m = ctx.manager;
  // An --rm container may exit and be retired before its output is read: its directory waits for us.
  const release = m.holdDir(created.id);
  try {
    try {
      send({ started: await m.start(created.id) });
    } catch (e) {
      if (req.rm) await m.remove(created.id, { force: true, volumes: true }).catch(() => undefined);
      throw e;
    }
    if (req.detach) return; // -d --rm: the manager removes it at the exit (record.autoRemove)
    // The exited record as the exit is announced: an --rm container leaves the list then.
    const atExit = m.waitExit(created.id).then(() => m.lastRecord(created.id));
    await followContainerLogs(m, created.id, {}, (log) => send({ log }), closed);
    const exited = (await atExit) ?? created;
    // At the exit the manager retired it (record.autoRemove): only a failed retirement leaves it here.
    if (req.rm && m.find(created.id)) await m.remove(created.id, { force: true, volumes: true }).catch(() => undefined);
    send({ exited });
  } finally {
    release();
  }
}

/** An error as the wire carries it (the Node CLI turns it back into a ProviderError). */
export function runErrorBody(e: unknown): RunErrorBody {
  if (isProviderError(e)) return { category: e.category, code: e.code, message: e.message, ...(e.hint !== undefined ? { hint: e.hint } : {}) };
  return { category: "Internal", code: "INFRA_RUNTIME_INTERNAL", message: (e as Error).message };
}
