import type { SourceLocation } from "../diag/diagnostic.js";
import type { Props, Value } from "./value.js";

/** The resource kinds a stack can declare. A closed union: providers branch on it. */
export type ResourceType = "container" | "image" | "network" | "volume";

export const RESOURCE_TYPES: readonly ResourceType[] = ["container", "image", "network", "volume"];

/** Lifecycle options any resource takes (Pulumi's names; Terraform's `lifecycle` block). */
export interface ResourceOptions {
  /** Addresses of resources this one must come after, besides those its values reference. */
  dependsOn?: string[];
  /** Refuse to delete or replace it. */
  protect?: boolean;
  /** When removed from the stack, forget it in state but leave the real object alone. */
  retainOnDelete?: boolean;
  /** Attribute paths whose changes are not planned ("*" for all). */
  ignoreChanges?: string[];
  /** Attribute paths whose changes force replacement even where an update would do ("*" for any). */
  replaceOnChanges?: string[];
  /** Replace by deleting first, then creating (frees names and ports). */
  deleteBeforeReplace?: boolean;
}

/** One node of the desired graph, as synthesised from a stack. */
export interface ResourceNode {
  /** `type.name`, e.g. `container.web`; nested scopes join ids with `/` in the name part. */
  address: string;
  type: ResourceType;
  /** The path of scope ids below the stack, joined with `/`. */
  name: string;
  /** Which provider carries it out (`local-runtime`, `coreos-cluster`, `memory` in tests). */
  provider: string;
  props: Props;
  options: ResourceOptions;
  /** Every address this node depends on: explicit `dependsOn` plus references in `props`. Sorted. */
  dependencies: string[];
  /** Where the user declared it, when known. */
  source?: SourceLocation;
}

/** A stack output: a named value, possibly a reference, possibly secret. */
export interface OutputNode {
  name: string;
  value: Value;
}

/** The desired state: what `synth` emits and the planner consumes. */
export interface StackGraph {
  stack: string;
  resources: ResourceNode[];
  outputs: OutputNode[];
}
