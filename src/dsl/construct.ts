import { TokenRegistry } from "./token-registry.js";

/** Construct ids become parts of addresses and engine names, so they are kept simple. */
export const CONSTRUCT_ID_RE = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

/** A construct's place in the tree: its id, parent, children and the tree's token registry. */
export class ConstructNode {
  readonly id: string;
  readonly scope: Construct | undefined;
  readonly children: Construct[] = [];
  readonly root: Construct;
  /** Shared by the whole tree (created by the root). */
  readonly tokens: TokenRegistry;

  constructor(host: Construct, scope: Construct | undefined, id: string) {
    this.id = id;
    this.scope = scope;
    this.root = scope === undefined ? host : scope.node.root;
    this.tokens = scope === undefined ? new TokenRegistry() : scope.node.tokens;
    scope?.node.children.push(host);
  }

  /** Ids from below the root down to this construct, joined with `/`. */
  get path(): string {
    const ids: string[] = [];
    for (let c: ConstructNode | undefined = this; c?.scope !== undefined; c = c.scope.node) ids.unshift(c.id);
    return ids.join("/");
  }

  /** Every construct below this one, depth first, in declaration order. */
  findAll(): Construct[] {
    const out: Construct[] = [];
    const walk = (n: ConstructNode): void => {
      for (const k of n.children) {
        out.push(k);
        walk(k.node);
      }
    };
    walk(this);
    return out;
  }
}

/**
 * The base of everything in a stack: `new X(scope, id, ...)` only attaches a node to the tree.
 * Duplicate ids are kept (and reported by synth) so that all problems show at once.
 */
export class Construct {
  readonly node: ConstructNode;
  constructor(scope: Construct | undefined, id: string) {
    this.node = new ConstructNode(this, scope, id);
  }
}

/** A plain scope for grouping resources: its id prefixes their addresses (`container.group/web`). */
export class Group extends Construct {
  constructor(scope: Construct, id: string) {
    super(scope, id);
  }
}
