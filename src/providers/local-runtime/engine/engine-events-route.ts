/**
 * `GET /events`: the event stream as NDJSON. `since` replays the engine's ring of recent events
 * first; without `until` it then follows until the client goes; with `until` it ends there.
 */
import type { ServerResponse } from "node:http";
import { sinceSeconds } from "../container/log-file.js";
import { runtimeError } from "../runtime-error.js";
import type { EngineEvent } from "./engine-events.js";
import type { EngineContext } from "./engine-routes.js";
import { matchesEventFilter, parseEventFilters } from "./event-filter.js";

/** A `since`/`until` value (RFC 3339, epoch seconds, or a duration back from now: 10m) as nanoseconds. */
export function eventTimeNano(name: string, v: string): number {
  const s = sinceSeconds(v);
  if (!Number.isFinite(s)) throw runtimeError("Invalid", "BAD_EVENT_TIME", `invalid --${name} value '${v}'`, "give an RFC 3339 time (2024-05-01T10:00:00Z), epoch seconds, or a duration such as 10m");
  return Math.round(s * 1e9);
}

export async function streamEvents(ctx: EngineContext, q: URLSearchParams, res: ServerResponse): Promise<void> {
  // Checked before the headers go out: a bad request gets an error reply, not a stream.
  const filter = parseEventFilters(q.getAll("filter"));
  const since = q.has("since") ? eventTimeNano("since", q.get("since")!) : undefined;
  const until = q.has("until") ? eventTimeNano("until", q.get("until")!) : undefined;
  res.writeHead(200, { "content-type": "application/x-ndjson" });
  res.flushHeaders();
  const write = (e: EngineEvent) => { if (matchesEventFilter(e, filter)) res.write(JSON.stringify(e) + "\n"); };
  // Replay and subscription happen in one turn: no event falls between them.
  if (since !== undefined) for (const e of ctx.events.recent(since, until)) write(e);
  if (until !== undefined && until <= Date.now() * 1e6) { res.end(); return; }
  await new Promise<void>((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    const done = () => { unsubscribe(); if (timer) clearTimeout(timer); resolve(); };
    const unsubscribe = ctx.events.subscribe((e) => {
      if (until !== undefined && e.timeNano > until) return done();
      write(e);
    }, () => done());
    if (until !== undefined) timer = setTimeout(done, Math.max(0, until / 1e6 - Date.now()));
    res.on("close", done);
  });
  if (!res.writableEnded) res.end();
}
