import type { ResourceType } from "../graph/resource.js";
import { Construct } from "./construct.js";
import { Ref } from "./ref.js";

/** Lifecycle options, the 4th constructor argument of every resource. */
export interface ResourceOptions {
  /** Resources this one must come after, besides those its props reference. */
  dependsOn?: Resource | Resource[];
  /** Refuse to delete or replace it. */
  protect?: boolean;
  /** When removed from the stack, forget it in state but leave the real object alone. */
  retainOnDelete?: boolean;
  /** Attribute paths whose changes are not planned ("*" for all). */
  ignoreChanges?: string[];
  /** Attribute paths whose changes force replacement ("*" for any). */
  replaceOnChanges?: string[];
  /** Replace by deleting first, then creating (frees names and ports). */
  deleteBeforeReplace?: boolean;
  /** The provider that carries it out; the stack's default when absent. */
  provider?: string;
}

/**
 * The base of Image, Container, Network and Volume. It keeps the props as given (synth
 * normalises them) and where it was declared (an Error whose stack synth reads).
 */
export abstract class Resource extends Construct {
  abstract readonly resourceType: ResourceType;
  readonly options: ResourceOptions;
  /** Captured at construction: its stack trace names the user's line. Formatted only at synth. */
  readonly declaredAt: Error;

  constructor(scope: Construct, id: string, options: ResourceOptions | undefined) {
    super(scope, id);
    this.options = options ?? {};
    this.declaredAt = new Error("declared here");
  }

  /** `type.path`, e.g. `container.web` or `container.group/web`. */
  get address(): string {
    return `${this.resourceType}.${this.node.path}`;
  }

  /** The props as the user gave them. */
  abstract get rawProps(): object;

  protected ref<T>(attr: string): Ref<T> {
    return new Ref<T>(this, attr);
  }
}
