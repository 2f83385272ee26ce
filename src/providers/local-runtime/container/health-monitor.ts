/**
 * Runs health checks for running containers: one timer per container in the engine (no process
 * per container while idle), each probe a `runc exec` of the check. Results go back to the record.
 */
import type { ContainerRecord, HealthState } from "./container-record.js";
import { initialHealth, nextHealth, resolveHealthcheck, type EffectiveHealthcheck, type ProbeResult } from "./health-check.js";
import type { HealthcheckSpec } from "../../../graph/specs.js";
import type { ImageRuntimeConfig } from "../image/image-types.js";

/** What the monitor needs from the engine; the container manager provides it. */
export interface HealthHost {
  find(id: string): ContainerRecord | undefined;
  imageHealthcheck(rec: ContainerRecord): Promise<ImageRuntimeConfig["Healthcheck"] | undefined>;
  /** Stores the state unless the container stopped or restarted meanwhile (startedAt differs). */
  setHealth(id: string, startedAt: string, health: HealthState): Promise<void>;
  /** Runs argv in the container; exitCode -1 when it did not finish within timeoutMs. */
  probe(id: string, argv: string[], timeoutMs: number): Promise<{ exitCode: number; output: string }>;
}

interface Tracked {
  startedAt: string;
  check?: EffectiveHealthcheck;
  timer?: NodeJS.Timeout;
  probing?: boolean;
  state: HealthState;
}

export class HealthMonitor {
  private tracked = new Map<string, Tracked>();
  private stopped = false;

  constructor(private readonly host: HealthHost) {}

  /** Called with every record the engine writes: starts, keeps or stops the container's timer. */
  observe(rec: ContainerRecord): void {
    if (this.stopped) return;
    const cur = this.tracked.get(rec.id);
    if (rec.state !== "running" || !rec.startedAt) {
      // Paused containers are not probed (Docker's rule); the timer resumes from the same state.
      if (cur && rec.state !== "paused") this.untrack(rec.id);
      else if (cur?.timer) { clearTimeout(cur.timer); delete cur.timer; }
      return;
    }
    if (cur && cur.startedAt === rec.startedAt) {
      if (!cur.timer && !cur.probing && cur.check) this.schedule(rec.id, cur);
      return;
    }
    if (cur) this.untrack(rec.id);
    const t: Tracked = { startedAt: rec.startedAt, state: rec.health ?? initialHealth() };
    this.tracked.set(rec.id, t);
    void this.begin(rec, t);
  }

  private async begin(rec: ContainerRecord, t: Tracked): Promise<void> {
    let check: EffectiveHealthcheck | undefined;
    try {
      check = resolveHealthcheck(rec.spec.healthcheck as HealthcheckSpec | undefined, await this.host.imageHealthcheck(rec));
    } catch {
      check = undefined; // a bad check was refused at create; an image changed since is ignored
    }
    if (this.tracked.get(rec.id) !== t || !check) return;
    t.check = check;
    if (!rec.health) await this.host.setHealth(rec.id, t.startedAt, t.state).catch(() => undefined);
    this.schedule(rec.id, t);
  }

  private schedule(id: string, t: Tracked): void {
    if (!t.check) return;
    t.timer = setTimeout(() => void this.tick(id, t), t.check.intervalMs);
    t.timer.unref();
  }

  private async tick(id: string, t: Tracked): Promise<void> {
    delete t.timer;
    const check = t.check;
    if (!check || this.tracked.get(id) !== t || this.host.find(id)?.state !== "running") return;
    const start = new Date().toISOString();
    let r: { exitCode: number; output: string };
    t.probing = true;
    try {
      r = await this.host.probe(id, check.argv, check.timeoutMs);
    } catch (e) {
      r = { exitCode: -1, output: (e as Error).message };
    } finally {
      t.probing = false;
    }
    if (this.tracked.get(id) !== t) return;
    const result: ProbeResult = { start, end: new Date().toISOString(), exitCode: r.exitCode, output: r.output };
    t.state = nextHealth(t.state, result, check, Date.parse(t.startedAt));
    await this.host.setHealth(id, t.startedAt, t.state).catch(() => undefined);
    if (this.tracked.get(id) === t && !t.timer && this.host.find(id)?.state === "running") this.schedule(id, t);
  }

  private untrack(id: string): void {
    const t = this.tracked.get(id);
    if (t?.timer) clearTimeout(t.timer);
    this.tracked.delete(id);
  }

  /** Containers with a check and a timer (for tests and stats). */
  active(): string[] {
    return [...this.tracked].filter(([, t]) => t.check).map(([id]) => id);
  }

  stop(): void {
    this.stopped = true;
    for (const id of [...this.tracked.keys()]) this.untrack(id);
  }
}
