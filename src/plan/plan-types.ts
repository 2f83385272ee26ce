/**
 * A plan is data: what will change, from what to what, and why. No strings meant for people;
 * the views (human, JSON, markdown) read the same object.
 */
import type { Diagnostic } from "../diag/diagnostic.js";
import type { ResourceOptions, ResourceType } from "../graph/resource.js";
import type { Props, Value } from "../graph/value.js";
import type { ChangeNote } from "../providers/contract.js";

export type { ChangeNote };

/** 2.0: plans carry their source, a nonce and a digest (saved plans made by 1.x cannot be verified). */
export const PLAN_FORMAT_VERSION = "2.0";

export type ChangeAction = "create" | "update" | "replace" | "delete" | "forget" | "import" | "noop";

export type ReplaceOrder = "delete-before-create" | "create-before-delete";

/** Why a change is planned. Terraform's `action_reason`s, plus the ones a container tool needs. */
export type ReasonCode =
  | "new_in_config" // create: in the stack, not in state
  | "missing_live" // create: in state, but the object is gone (drift)
  | "attributes_changed" // update: attributes differ
  | "replace_because_cannot_update" // replace: an attribute that forces replacement changed
  | "replace_on_changes" // replace: the user's replaceOnChanges matched
  | "replace_by_request" // replace: --replace ADDR
  | "replace_because_dependency_replaced" // replace: e.g. its image changed
  | "delete_because_no_resource_config" // delete: removed from the stack
  | "delete_because_destroy" // delete: destroy mode
  | "delete_because_deposed" // delete: left over from an interrupted create-before-delete replacement
  | "forget_because_retain_on_delete" // forget: removed, retainOnDelete set
  // The three below: a live object labelled with this stack at an address state does not hold
  // (created by an apply that died before recording it).
  | "adopt_orphan" // import: it matches the stack, so state records it as it is
  | "replace_orphan" // replace: it differs from the stack
  | "delete_orphan" // delete: its address is not in the stack (or destroy mode), or state holds another object there
  | "no_changes"; // noop

export interface ChangeReason {
  code: ReasonCode;
  /** Attribute that caused it (for attribute-driven reasons). */
  attribute?: string;
  /** Other resource that caused it (for dependency-driven reasons). */
  dependency?: string;
}

export interface AttributeChange {
  /** Top-level attribute name (`image`, `env`, `ports` ...). */
  path: string;
  /** Absent when the attribute did not exist before. */
  before?: Value;
  /** Absent when the attribute is removed; may contain `{$unknown}` or references. */
  after?: Value;
  forcesReplacement: boolean;
  /** Shown as "(sensitive value)" by every view. */
  sensitive: boolean;
}

export interface ResourceSnapshot {
  id?: string;
  props: Props;
  outputs: Props;
}

export interface PlanChange {
  address: string;
  type: ResourceType;
  provider: string;
  action: ChangeAction;
  /** Only for `replace`. */
  replaceOrder?: ReplaceOrder;
  /**
   * Set (to the object's id) when the change deletes an object that is not the current one at
   * `address`: a deposed object, left over from an interrupted create-before-delete replacement,
   * or (reason `delete_orphan`) an orphan found beside the object state records there.
   */
  deposed?: string;
  reasons: ChangeReason[];
  /** What is recorded (after refresh), or the orphan found live (import, and replace or delete of an orphan); null for a create. */
  before: ResourceSnapshot | null;
  /** What the stack wants; props may hold references and unknowns; null for delete/forget. */
  after: { props: Props; outputs: Props } | null;
  /** Attribute-level diff; empty for noop. Unchanged attributes are not listed. */
  attributes: AttributeChange[];
  /** Number of unchanged attributes (views print "N unchanged attributes hidden"). */
  unchangedCount: number;
  /** Addresses this change must wait for (creates/updates) or that must wait for it (deletes). */
  dependencies: string[];
  options: ResourceOptions;
  /** What the change does besides its attributes (an image it pulls); absent when nothing. */
  notes?: ChangeNote[];
}

/** Something that changed outside infra since the last apply, found by refresh. */
export interface DriftEntry {
  address: string;
  kind: "deleted" | "changed";
  attributes: AttributeChange[];
}

export interface OutputChange {
  name: string;
  action: "create" | "update" | "delete" | "noop";
  before?: Value;
  after?: Value;
  sensitive: boolean;
}

export interface PlanOptions {
  mode: "normal" | "destroy";
  refresh: boolean;
  targets: string[];
  excludes: string[];
  replace: string[];
}

export interface PlanSummary {
  add: number;
  change: number;
  destroy: number;
  /** Replacements are counted in add and destroy too, as Terraform does. */
  replace: number;
  forget: number;
  /** Orphans adopted as they are (`import`). */
  import: number;
}

/** Which stack and state a plan was made from; `apply PLANFILE` refuses any other. */
export interface PlanSource {
  /** Absolute paths of the stack's files: the TypeScript program, or the compose files in merge order. */
  files: string[];
  /** Where the state lives (the backend's location). */
  state: string;
}

export interface Plan {
  formatVersion: typeof PLAN_FORMAT_VERSION;
  infraVersion: string;
  stack: string;
  createdAt: string;
  options: PlanOptions;
  /** The state the plan was made against; applying a saved plan refuses another. */
  prior: { lineage: string | null; serial: number };
  /** Hash of the desired graph; applying a saved plan refuses a changed stack. */
  graphHash: string;
  source: PlanSource;
  /** Random salt of the digest, so that a published digest cannot confirm guesses of secret values. */
  nonce: string;
  /** `sha256:…` over what apply would do and what it was planned against (see plan-digest.ts). */
  digest: string;
  changes: PlanChange[];
  drift: DriftEntry[];
  outputs: OutputChange[];
  diagnostics: Diagnostic[];
  summary: PlanSummary;
  /** True when there is nothing to apply (only noops, no output changes). */
  empty: boolean;
}
