/**
 * The engine's event bus (`infra events`): what the container manager and the API routes publish,
 * kept in a bounded ring of recent events (for `--since`) and handed to live subscribers, with
 * Docker's field names (Type, Action, Actor{ID, Attributes}, time, timeNano).
 */
import type { ContainerRecord } from "../container/container-record.js";

export type EventType = "container" | "network" | "image" | "volume";

export interface EngineEvent {
  Type: EventType;
  Action: string;
  Actor: { ID: string; Attributes: Record<string, string> };
  scope: "local";
  /** Seconds since the epoch. */
  time: number;
  timeNano: number;
}

export type EventListener = (e: EngineEvent) => void;

/** Recent events kept for replay; older ones fall off. */
export const EVENT_RING_SIZE = 1000;

export class EngineEvents {
  private ring: EngineEvent[] = [];
  private listeners = new Set<EventListener>();
  /** The last timeNano handed out: events keep their order even within one millisecond. */
  private lastNano = 0;

  constructor(readonly capacity = EVENT_RING_SIZE) {}

  publish(type: EventType, action: string, id: string, attributes: Record<string, string> = {}): void {
    const nano = Math.max(Date.now() * 1_000_000, this.lastNano + 1);
    this.lastNano = nano;
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

  subscribe(l: EventListener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
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
