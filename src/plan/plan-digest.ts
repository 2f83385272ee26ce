/**
 * The plan digest: one `sha256:` value that names what an apply of the plan would do and what
 * the plan was made against, shown by every view and stored in saved plans, so that a reviewer
 * can tell that the plan being applied is the one reviewed (docs/commands/plan.md, "Digest").
 *
 * The digest is SHA-256 over the canonical JSON of the digest document:
 *   { scheme, formatVersion, nonce, stack, source, graphHash, prior, options, changes, outputs, summary, empty }
 * Canonical JSON is RFC 8785's: no whitespace; object members sorted by the UTF-16 code units of
 * their names, members whose value is undefined left out; arrays in their order; strings and
 * numbers written as ECMAScript's JSON.stringify writes them. Changes keep the plan's order
 * (the order apply walks). Left out: createdAt and infraVersion (a re-derived plan differs in
 * them), drift and diagnostics (reports about planning, not what apply does), and each change's
 * notes (an image to pull: pulling it meanwhile changes nothing that apply would do).
 */
import { createHash, randomBytes } from "node:crypto";
import type { Plan, PlanChange } from "./plan-types.js";

/** Names the rules above; a change to them changes every digest. */
export const DIGEST_SCHEME = "infra-plan-digest/1";

export type DigestFields = Pick<Plan, "formatVersion" | "nonce" | "stack" | "source" | "graphHash" | "prior" | "options" | "changes" | "outputs" | "summary" | "empty">;

export function planDigest(plan: DigestFields): string {
  const doc = {
    scheme: DIGEST_SCHEME,
    formatVersion: plan.formatVersion,
    nonce: plan.nonce,
    stack: plan.stack,
    source: plan.source,
    graphHash: plan.graphHash,
    prior: plan.prior,
    options: plan.options,
    changes: plan.changes.map(withoutNotes),
    outputs: plan.outputs,
    summary: plan.summary,
    empty: plan.empty,
  };
  return "sha256:" + createHash("sha256").update(canonicalJson(doc)).digest("hex");
}

/** The canonical form of one change, for comparing a saved change with a re-derived one. */
export function canonicalChange(c: PlanChange): string {
  return canonicalJson(withoutNotes(c));
}

function withoutNotes(c: PlanChange): PlanChange {
  if (c.notes === undefined) return c;
  const { notes: _notes, ...rest } = c;
  return rest;
}

/** 32 random bytes, hex: the digest's salt. */
export function newPlanNonce(): string {
  return randomBytes(32).toString("hex");
}

/**
 * RFC 8785 canonical JSON of plain JSON data. Written out rather than through JSON.stringify's
 * key order, which puts integer-like names first, and so that a `__proto__` member counts.
 */
export function canonicalJson(v: unknown): string {
  if (v === null) return "null";
  switch (typeof v) {
    case "string":
      return JSON.stringify(v);
    case "boolean":
      return v ? "true" : "false";
    case "number":
      if (!Number.isFinite(v)) throw new TypeError(`canonical JSON has no form for the number ${v}`);
      return JSON.stringify(v);
    case "object": {
      if (Array.isArray(v)) return "[" + v.map((x: unknown) => (x === undefined ? "null" : canonicalJson(x))).join(",") + "]";
      const o = v as Record<string, unknown>;
      const keys = Object.keys(o)
        .filter((k) => o[k] !== undefined)
        .sort();
      return "{" + keys.map((k) => JSON.stringify(k) + ":" + canonicalJson(o[k])).join(",") + "}";
    }
    default:
      throw new TypeError(`canonical JSON has no form for a ${typeof v}`);
  }
}
