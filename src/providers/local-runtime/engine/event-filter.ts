/**
 * `infra events --filter KEY=VALUE`, as Docker reads them: values of one key are alternatives,
 * different keys must all match. Pure.
 */
import { runtimeError } from "../runtime-error.js";
import type { EngineEvent } from "./engine-events.js";

export const EVENT_FILTER_KEYS = ["type", "event", "container", "image", "label", "network", "volume"] as const;
export type EventFilterKey = (typeof EVENT_FILTER_KEYS)[number];
export type EventFilter = Partial<Record<EventFilterKey, string[]>>;

/** Parses `KEY=VALUE` strings; an unknown key or a missing `=` is an Invalid error naming it. */
export function parseEventFilters(items: readonly string[]): EventFilter {
  const out: EventFilter = {};
  for (const item of items) {
    const eq = item.indexOf("=");
    const key = eq > 0 ? item.slice(0, eq) : "";
    if (!(EVENT_FILTER_KEYS as readonly string[]).includes(key))
      throw runtimeError("Invalid", "BAD_EVENT_FILTER", `invalid event filter '${item}'`, `use KEY=VALUE with KEY one of ${EVENT_FILTER_KEYS.join(", ")}`);
    const k = key as EventFilterKey;
    out[k] = [...(out[k] ?? []), item.slice(eq + 1)];
  }
  return out;
}

export function matchesEventFilter(e: EngineEvent, f: EventFilter): boolean {
  const a = e.Actor.Attributes;
  const idOrName = (v: string) => e.Actor.ID === v || (v.length >= 12 && e.Actor.ID.replace(/^sha256:/, "").startsWith(v.replace(/^sha256:/, ""))) || a.name === v;
  const checks: Record<EventFilterKey, (v: string) => boolean> = {
    type: (v) => e.Type === v,
    // `health_status` matches every `health_status: STATUS`.
    event: (v) => e.Action === v || e.Action.startsWith(`${v}:`),
    container: (v) => (e.Type === "container" && idOrName(v)) || (e.Type === "network" && a.container !== undefined && a.container.startsWith(v)),
    image: (v) => (e.Type === "image" && idOrName(v)) || (e.Type === "container" && a.image === v),
    label: (v) => {
      const eq = v.indexOf("=");
      return eq < 0 ? v in a : a[v.slice(0, eq)] === v.slice(eq + 1);
    },
    network: (v) => e.Type === "network" && idOrName(v),
    volume: (v) => e.Type === "volume" && idOrName(v),
  };
  return (Object.entries(f) as Array<[EventFilterKey, string[]]>).every(([k, vs]) => vs.length === 0 || vs.some((v) => checks[k](v)));
}
