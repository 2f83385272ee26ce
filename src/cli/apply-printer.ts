/**
 * Prints apply progress. On a terminal, finished steps scroll and the steps still running stay
 * in a block at the bottom, redrawn every second with their elapsed time. Elsewhere (CI logs,
 * pipes), plain lines only, with a "Still creating..." line every 10 seconds, as Terraform does.
 */
import { formatApplyEvent, formatNoteLines, formatRunning, progressKey, type ApplyProgressEvent, type RunningStep } from "../views/apply-progress.js";
import type { CommandIO } from "./command.js";

const LIVE_REDRAW_MS = 1000;
const PLAIN_STILL_MS = 10_000;

export class ApplyPrinter {
  // Keyed per object: a deposed delete may run beside the change to the current object at its address.
  private readonly running = new Map<string, { address: string; deposed?: string; action: string; startedAt: number }>();
  private drawn = 0;
  private readonly timer: NodeJS.Timeout;
  private readonly live: boolean;

  constructor(private readonly io: CommandIO) {
    this.live = io.stdout.isTTY === true;
    this.timer = setInterval(() => this.tick(), this.live ? LIVE_REDRAW_MS : PLAIN_STILL_MS);
    this.timer.unref();
  }

  event(e: ApplyProgressEvent): void {
    const key = progressKey(e);
    if (e.kind === "start") {
      this.running.set(key, { address: e.address, ...(e.deposed !== undefined ? { deposed: e.deposed } : {}), action: e.action, startedAt: Date.now() - e.elapsedMs });
    } else this.running.delete(key);
    const line = formatApplyEvent(e, { color: this.io.color });
    const notes = formatNoteLines(e, { color: this.io.color });
    if (!this.live) {
      this.io.stdout.write(line + "\n");
      for (const n of notes) this.io.stdout.write(n + "\n");
      return;
    }
    this.clear();
    if (e.kind !== "start") this.io.stdout.write(line + "\n");
    for (const n of notes) this.io.stdout.write(n + "\n");
    this.draw();
  }

  /** Stops the timer and removes the live block; call before printing anything else. */
  finish(): void {
    clearInterval(this.timer);
    if (this.live) this.clear();
  }

  private tick(): void {
    if (this.running.size === 0) return;
    if (this.live) {
      this.clear();
      this.draw();
    } else {
      for (const l of formatRunning(this.snapshot(), { color: this.io.color })) this.io.stdout.write(l + "\n");
    }
  }

  private snapshot(): RunningStep[] {
    const now = Date.now();
    return [...this.running.values()].map(({ startedAt, ...r }) => ({ ...r, elapsedMs: now - startedAt }));
  }

  private draw(): void {
    const width = Math.max(20, (this.io.stdout.columns ?? 80) - 1);
    // Long lines would wrap and break the cursor arithmetic: cut them to the terminal width.
    const lines = formatRunning(this.snapshot(), { color: this.io.color }).map((l) => (visibleLength(l) > width ? l.slice(0, width) : l));
    for (const l of lines) this.io.stdout.write(l + "\n");
    this.drawn = lines.length;
  }

  private clear(): void {
    if (this.drawn > 0) this.io.stdout.write(`\x1b[${this.drawn}A\x1b[J`);
    this.drawn = 0;
  }
}

function visibleLength(s: string): number {
  return s.replace(/\x1b\[[0-9;]*m/g, "").length;
}
