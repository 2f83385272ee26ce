/**
 * The engine's event bus (`infra events`): what the container manager and the API routes publish,
 * kept in a bounded ring of recent events (for `--since`) and handed to live subscribers, with
 * Docker's field names (Type, Action, Actor{ID, Attributes}, time, timeNano).
 */
import type { ContainerRecord } from "../container/container-record.js";
import { runtimeError } from "../runtime-error.js";

export type EventType = "container" | "network" | "image" | "volume";

export interface EngineEvent {
  Type: EventType;
  Action: string;
  Actor: { ID: string; Attributes: Record<string, string> };
  scope: "local";
  /** Seconds since the epoch. */
  time: number;
  /** Nanoseconds since the epoch, to the microsecond (a JSON number keeps no more). */
  timeNano: number;
}

export type EventListener = (e: EngineEvent) => void;

/** Recent events kept for replay; older ones fall off. */
export const EVENT_RING_SIZE = 1000;

export class EngineEvents {
  private ring: EngineEvent[] = [];
  private listeners = new Set<EventListener>();
  private enders = new Set<() => void>();
  /** The last time handed out, in µs: events keep their order even within one microsecond. */
  private lastMicros = 0;

  constructor(readonly capacity = EVENT_RING_SIZE) {}

  publish(type: EventType, action: string, id: string, attributes: Record<string, string> = {}): void {
    // Microseconds: nanoseconds since the epoch pass 2^53, where doubles are 256 ns apart.
    const micros = Math.max(Math.floor((performance.timeOrigin + performance.now()) * 1000), this.lastMicros + 1);
    this.lastMicros = micros;
    const nano = micros * 1000;
    const e: EngineEvent = { Type: type, Action: action, Actor: { ID: id, Attributes: attributes }, scope: "local", time: Math.floor(nano / 1e9), timeNano: nano };
    this.ring.push(e);
    if (this.ring.length > this.capacity) this.ring.splice(0, this.ring.length - this.capacity);
    for (const l of this.listeners) {
      try {
        l(e);
      } catch {
        // A subscriber's failure (a closed stream) must not stop the publisher: it unsubscribes on close.
      }
    }
  }

  /** Events in the ring at or after `sinceNano` (and at or before `untilNano`), oldest first. */
  recent(sinceNano: number, untilNano = Infinity): EngineEvent[] {
    return this.ring.filter((e) => e.timeNano >= sinceNano && e.timeNano <= untilNano);
  }

  /** `onEnd` runs at close(): a stream that would follow for ever ends, and the server can stop. */
  subscribe(l: EventListener, onEnd?: () => void): () => void {
    this.listeners.add(l);
    if (onEnd) this.enders.add(onEnd);
    return () => { this.listeners.delete(l); if (onEnd) this.enders.delete(onEnd); };
  }

  /** Ends every subscription (the engine is stopping). */
  close(): void {
    const enders = [...this.enders];
    this.listeners.clear();
    this.enders.clear();
    for (const end of enders) end();
  }

  get subscribers(): number {
    return this.listeners.size;
  }

  /** Container events derived from one record change (the manager saves every transition). */
  containerChanged(prev: ContainerRecord | undefined, next: ContainerRecord): void {
    for (const [action, extra] of containerTransitions(prev, next)) this.publish("container", action, next.id, { ...containerAttributes(next), ...extra });
  }

  containerDestroyed(rec: ContainerRecord): void {
    this.publish("container", "destroy", rec.id, containerAttributes(rec));
  }

  /** `stop` and `kill` as the user asked for them (the exit that follows is a `die`). */
  containerSignalled(rec: ContainerRecord, action: "stop" | "kill", signal?: string): void {
    this.publish("container", action, rec.id, { ...containerAttributes(rec), ...(signal !== undefined ? { signal } : {}) });
  }
}

/** Docker's Attributes of a container event: name, image and the container's labels. */
export function containerAttributes(rec: ContainerRecord): Record<string, string> {
  return { ...(rec.spec.labels ?? {}), name: rec.name, image: rec.spec.image };
}

/** Which events a record change means, in order. Pure. */
export function containerTransitions(prev: ContainerRecord | undefined, next: ContainerRecord): Array<[string, Record<string, string>]> {
  const out: Array<[string, Record<string, string>]> = [];
  if (!prev) out.push(["create", {}]);
  const was = prev?.state;
  if (next.state !== was) {
    if (next.state === "running") out.push([was === "paused" ? "unpause" : "start", {}]);
    else if (next.state === "paused") out.push(["pause", {}]);
    else if (next.state === "exited" && (was === "running" || was === "paused")) {
      if (next.oomKilled) out.push(["oom", {}]);
      out.push(["die", { exitCode: String(next.exitCode ?? -1) }]);
    }
  }
  const health = next.health?.status;
  if (health !== undefined && health !== prev?.health?.status && next.state === "running") out.push([`health_status: ${health}`, {}]);
  return out;
}

/** What a CLI process may report (`POST /events`): image changes it made on the store itself. */
export const REPORTED_IMAGE_ACTIONS = ["pull", "tag", "load", "import"] as const;
export type ReportedImageAction = (typeof REPORTED_IMAGE_ACTIONS)[number];

export function checkReportedImageEvent(body: unknown): { action: ReportedImageAction; id: string; name: string } {
  const b = (typeof body === "object" && body !== null ? body : {}) as { action?: unknown; id?: unknown; name?: unknown };
  const bad = (why: string) => runtimeError("Invalid", "BAD_EVENT_REPORT", `invalid image event report: ${why}`, `send {"action": one of ${REPORTED_IMAGE_ACTIONS.join("|")}, "id": "sha256:<64 hex>", "name": IMAGE}`);
  if (!(REPORTED_IMAGE_ACTIONS as readonly unknown[]).includes(b.action)) throw bad(`action ${JSON.stringify(b.action)}`);
  if (typeof b.id !== "string" || !/^sha256:[0-9a-f]{64}$/.test(b.id)) throw bad(`id ${JSON.stringify(b.id)?.slice(0, 80)}`);
  if (typeof b.name !== "string" || b.name.length === 0 || b.name.length > 512 || /[\s\0]/.test(b.name)) throw bad(`name ${JSON.stringify(b.name)?.slice(0, 80)}`);
  return { action: b.action as ReportedImageAction, id: b.id, name: b.name };
}
