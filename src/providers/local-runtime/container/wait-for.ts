/**
 * compose's `depends_on` conditions: before a container starts, wait until each container it
 * names is started, healthy, or exited 0. `waitVerdict` judges one observation (pure);
 * `waitForContainers` polls through a small seam so that tests can drive it with a fake clock.
 */
import type { WaitForSpec } from "../../../graph/specs.js";
import { isProviderError, ProviderError } from "../../contract.js";
import type { EngineClient } from "../engine/engine-client.js";
import type { ImageRecord } from "../image/image-types.js";
import type { ContainerRecord, ContainerState } from "./container-record.js";
import { resolveHealthcheck } from "./health-check.js";

/** Long enough for a database's first start; short enough that a stuck apply says so. */
export const WAIT_DEFAULT_TIMEOUT_MS = 120_000;

/** What the waiter sees of a container it waits for. */
export interface WaitObservation {
  state: ContainerState | "missing";
  startedAt?: string;
  exitCode?: number;
  /** "none": the container has no health check at all (neither its own nor its image's). */
  health: "starting" | "healthy" | "unhealthy" | "none";
}

export type WaitVerdict =
  | { kind: "ready" }
  | { kind: "wait" }
  | { kind: "fail"; code: string; message: string; hint: string };

const fail = (code: string, message: string, hint: string): WaitVerdict => ({ kind: "fail", code: `INFRA_CONTAINER_WAIT_${code}`, message, hint });

/** Whether `w` is met by what was observed, still pending, or can no longer be met. */
export function waitVerdict(w: WaitForSpec, o: WaitObservation): WaitVerdict {
  const who = `container '${w.container}'`;
  if (o.state === "missing") return fail("NO_CONTAINER", `${who} does not exist (waited for: ${w.condition})`, "create it first, or remove it from waitFor / depends_on");
  switch (w.condition) {
    case "started":
      // A container that already ran and exited was started: compose asks no more of service_started.
      return o.state === "running" || o.state === "paused" || (o.state === "exited" && o.startedAt !== undefined) ? { kind: "ready" } : { kind: "wait" };
    case "healthy":
      if (o.health === "none") return fail("NO_HEALTHCHECK", `${who} has no health check, so it can never be healthy (waited for: healthy)`, "give it a healthcheck, or wait for condition started");
      if (o.health === "healthy" && o.state === "running") return { kind: "ready" };
      if (o.health === "unhealthy") return fail("UNHEALTHY", `${who} is unhealthy (waited for: healthy)`, `see its health log: infra inspect ${w.container}`);
      if (o.state === "exited") return fail("EXITED", `${who} exited with code ${o.exitCode ?? "?"} before it became healthy (waited for: healthy)`, `see its output: infra logs ${w.container}`);
      return { kind: "wait" };
    case "completed_successfully":
      if (o.state !== "exited") return { kind: "wait" };
      return o.exitCode === 0 ? { kind: "ready" } : fail("EXITED_NON_ZERO", `${who} exited with code ${o.exitCode ?? "?"} (waited for: completed_successfully)`, `see its output: infra logs ${w.container}`);
  }
}

/** The I/O the waiter needs; the engine client provides it (see `engineWaitHost`). */
export interface WaitHost {
  observe(w: WaitForSpec): Promise<WaitObservation>;
  sleep(ms: number): Promise<void>;
  now(): number;
}

export interface WaitOptions {
  timeoutMs?: number;
  /** First poll interval; it grows by half each round up to `maxPollMs`. */
  pollMs?: number;
  maxPollMs?: number;
}

/** Waits for every entry (all at once); the first that cannot be met, or the timeout, throws. */
export async function waitForContainers(list: readonly WaitForSpec[], host: WaitHost, opts: WaitOptions = {}): Promise<void> {
  const timeoutMs = opts.timeoutMs ?? WAIT_DEFAULT_TIMEOUT_MS;
  const deadline = host.now() + timeoutMs;
  const pending = new Set(list);
  let poll = opts.pollMs ?? 100;
  for (;;) {
    for (const w of [...pending]) {
      const v = waitVerdict(w, await host.observe(w));
      if (v.kind === "ready") pending.delete(w);
      else if (v.kind === "fail") throw new ProviderError(v.code === "INFRA_CONTAINER_WAIT_NO_HEALTHCHECK" ? "Invalid" : "Conflict", v.code, v.message, { hint: v.hint });
    }
    if (pending.size === 0) return;
    if (host.now() >= deadline) {
      const names = [...pending].map((w) => `'${w.container}' (${w.condition})`).join(", ");
      throw new ProviderError("Conflict", "INFRA_CONTAINER_WAIT_TIMEOUT", `gave up after ${Math.round(timeoutMs / 1000)} s waiting for ${names}`, { hint: "look at its state and logs (infra ps -a, infra logs NAME); a slow start needs a longer start period or timeout" });
    }
    await host.sleep(Math.min(poll, Math.max(1, deadline - host.now())));
    poll = Math.min(Math.round(poll * 1.5), opts.maxPollMs ?? 1000);
  }
}

/** Whether a container has a health check: its own, or its image's, and not disabled. */
export function hasHealthcheck(rec: Pick<ContainerRecord, "spec">, image: ImageRecord | undefined): boolean {
  try {
    return resolveHealthcheck(rec.spec.healthcheck, image?.config.config?.Healthcheck) !== undefined;
  } catch {
    return false; // a check the engine refused at create never runs
  }
}

/** The engine side: the container's record, its health route, and (once) whether it has a check. */
export function engineWaitHost(c: EngineClient): WaitHost {
  const checked = new Map<string, boolean>();
  return {
    now: () => Date.now(),
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
    async observe(w) {
      const path = `/containers/${encodeURIComponent(w.container)}`;
      let rec: ContainerRecord;
      try {
        rec = await c.call<ContainerRecord>("GET", path);
      } catch (e) {
        if (isProviderError(e) && e.category === "NotFound") return { state: "missing", health: "none" };
        throw e;
      }
      const o: WaitObservation = { state: rec.state, health: "none" };
      if (rec.startedAt !== undefined) o.startedAt = rec.startedAt;
      if (rec.exitCode !== undefined) o.exitCode = rec.exitCode;
      if (w.condition !== "healthy") return o;
      // The engine reports "none" until its first record of a run's checks: tell that apart from no check.
      let has = checked.get(rec.id);
      if (has === undefined) {
        const image = await c.call<ImageRecord>("GET", `/images/${encodeURIComponent(rec.imageId)}`).catch(() => undefined);
        checked.set(rec.id, (has = hasHealthcheck(rec, image)));
      }
      if (!has) return o;
      const h = await c.call<{ state: ContainerState; status: WaitObservation["health"] }>("GET", `${path}/health`);
      return { ...o, state: h.state, health: h.status === "none" ? "starting" : h.status };
    },
  };
}
