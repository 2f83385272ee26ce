/**
 * Apply progress as lines, in Terraform's words (`container.web: Creating...`,
 * `container.web: Creation complete after 1.2s`), and the final `Apply complete!` line.
 * Pure: the CLI decides when to print, and on a TTY redraws the lines of running resources.
 */
import type { ChangeNote } from "../plan/plan-types.js";
import { objectLabel } from "./deposed-object.js";
import { makeStyle, type Style } from "./style.js";

/** What the executor reports; structural so that views do not depend on the executor module. */
export interface ApplyProgressEvent {
  kind: "start" | "done" | "failed" | "skipped";
  address: string;
  action: string;
  /** Set when the step deletes a deposed object rather than the current one at `address`. */
  deposed?: string;
  elapsedMs: number;
  error?: unknown;
  /** On `start`: what the step does besides its attributes (an image it pulls). */
  notes?: readonly ChangeNote[];
}

/** A step still running, for the `Still creating...` lines. */
export interface RunningStep {
  address: string;
  action: string;
  deposed?: string;
  elapsedMs: number;
}

/**
 * Identifies one object's step among those running: a deposed object's delete can run beside
 * the change of the current object at the same address.
 */
export function progressKey(e: { address: string; deposed?: string }): string {
  return e.deposed === undefined ? e.address : `${e.address}\u0000${e.deposed}`;
}

export interface ApplyTotals {
  /** Absent (0) from callers that import nothing. */
  imported?: number;
  added: number;
  changed: number;
  destroyed: number;
  failed: number;
  interrupted: boolean;
}

const WORDS: Record<string, { ing: string; done: string; noun: string }> = {
  create: { ing: "Creating", done: "Creation complete", noun: "Creation" },
  update: { ing: "Modifying", done: "Modifications complete", noun: "Modification" },
  replace: { ing: "Replacing", done: "Replacement complete", noun: "Replacement" },
  delete: { ing: "Destroying", done: "Destruction complete", noun: "Destruction" },
  forget: { ing: "Forgetting", done: "Forgotten", noun: "Forgetting" },
  import: { ing: "Importing", done: "Import complete", noun: "Import" },
  read: { ing: "Reading", done: "Read complete", noun: "Read" },
};

function words(action: string): { ing: string; done: string; noun: string } {
  return WORDS[action] ?? { ing: `Running ${action}`, done: `${action} complete`, noun: action };
}

/** 0.4s, 12.0s, 1m05s. */
export function formatDuration(ms: number): string {
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const total = Math.round(ms / 1000);
  return `${Math.floor(total / 60)}m${String(total % 60).padStart(2, "0")}s`;
}

/** The message of whatever the executor put in `error`: a diagnostic, an Error or a string. */
export function errorMessage(e: unknown): string {
  if (e === undefined || e === null) return "unknown error";
  if (typeof e === "string") return e;
  if (typeof e === "object") {
    const o = e as { summary?: unknown; message?: unknown; code?: unknown };
    const text = typeof o.summary === "string" ? o.summary : typeof o.message === "string" ? o.message : undefined;
    if (text !== undefined) return typeof o.code === "string" ? `${text} [${o.code}]` : text;
  }
  return String(e);
}

/** One line for one event. */
export function formatApplyEvent(e: ApplyProgressEvent, opts: { color: boolean }): string {
  const style = makeStyle(opts.color);
  const w = words(e.action);
  const who = style.bold(`${objectLabel(e.address, e.deposed)}:`);
  switch (e.kind) {
    case "start":
      return `${who} ${w.ing}...`;
    case "done":
      return `${who} ${w.done} after ${formatDuration(e.elapsedMs)}`;
    case "failed":
      return `${who} ${style.red(`${w.noun} failed`)} after ${formatDuration(e.elapsedMs)}: ${errorMessage(e.error)}`;
    case "skipped":
      return `${who} ${style.yellow("Skipped")}: a resource it depends on failed`;
  }
}

/** `container.web: Pulling docker.io/library/alpine:3.19...`: a line per note of a step that starts, kept in the output. */
export function formatNoteLines(e: ApplyProgressEvent, opts: { color: boolean }): string[] {
  if (e.kind !== "start") return [];
  const who = makeStyle(opts.color).bold(`${objectLabel(e.address, e.deposed)}:`);
  return (e.notes ?? []).map((n) => {
    switch (n.code) {
      case "image_pull":
        return `${who} Pulling ${n.image}...`;
    }
  });
}

/** `container.web: Still creating... [12.0s elapsed]` for each resource still running. */
export function formatRunning(running: readonly RunningStep[], opts: { color: boolean }): string[] {
  const style = makeStyle(opts.color);
  return running.map((r) => `${style.bold(`${objectLabel(r.address, r.deposed)}:`)} Still ${words(r.action).ing.toLowerCase()}... ${style.dim(`[${formatDuration(r.elapsedMs)} elapsed]`)}`);
}

/** The last line of an apply (or a destroy). */
export function renderApplySummary(t: ApplyTotals, opts: { color: boolean; mode?: "apply" | "destroy" }): string {
  const style: Style = makeStyle(opts.color);
  // Terraform's `N imported, ` only when something was.
  const imported = (t.imported ?? 0) > 0 ? `${t.imported} imported, ` : "";
  const counts = opts.mode === "destroy" ? `${t.destroyed} destroyed` : `${imported}${t.added} added, ${t.changed} changed, ${t.destroyed} destroyed`;
  const word = opts.mode === "destroy" ? "Destroy" : "Apply";
  if (t.interrupted) return style.bold(style.red(`${word} interrupted!`)) + ` Resources: ${counts}${t.failed > 0 ? `, ${t.failed} failed` : ""}.`;
  if (t.failed > 0) return style.bold(style.red(`${word} failed!`)) + ` Resources: ${counts}, ${t.failed} failed.`;
  return style.bold(style.green(`${word} complete!`)) + ` Resources: ${counts}.`;
}
