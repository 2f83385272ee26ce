import type { ConstructNode } from "./construct.js";

/** What a reference points into: any resource construct. */
export interface RefOwner {
  readonly node: ConstructNode;
  readonly address: string;
}

/**
 * A value known only after apply (an IP, a digest, a random host port), typed by what it holds.
 * Passing it as a prop creates a dependency; inside a template string it becomes a token that
 * synth turns back into a reference.
 */
export class Ref<T> {
  /** Phantom: keeps `Ref<number>` and `Ref<string>` apart at compile time. */
  declare readonly __valueType?: T;
  readonly owner: RefOwner;
  readonly attr: string;

  constructor(owner: RefOwner, attr: string) {
    this.owner = owner;
    this.attr = attr;
  }

  toString(): string {
    return this.owner.node.tokens.tokenFor(this.owner.address, this.attr);
  }

  toJSON(): string {
    return this.toString();
  }
}

/** A prop value given directly or as a reference to another resource's attribute. */
export type Input<T> = T | Ref<T>;

export function isRefObject(v: unknown): v is Ref<unknown> {
  return v instanceof Ref;
}
