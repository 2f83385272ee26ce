import { Construct } from "./construct.js";
import type { Input } from "./ref.js";
import type { Secret } from "./secret.js";

export interface StackOptions {
  /** The directory of the stack file: relative bind mounts and build contexts resolve against it. */
  dir?: string;
  /** Provider for every resource that does not name one. Default `local-runtime`. */
  provider?: string;
}

/** A value a stack reports after apply: plain data, a reference, or a secret. */
export type OutputInput = Input<unknown> | Secret<unknown>;

/** The root of a stack's tree. Its name prefixes engine names (`<stack>-web`, `<stack>_data`). */
export class Stack extends Construct {
  readonly name: string;
  readonly dir: string | undefined;
  readonly provider: string;
  readonly outputs: Array<{ name: string; value: OutputInput }> = [];

  constructor(name: string, options: StackOptions = {}) {
    super(undefined, name);
    this.name = name;
    this.dir = options.dir;
    this.provider = options.provider ?? "local-runtime";
  }

  /** Declares a stack output, shown by `infra output` after apply. */
  output(name: string, value: OutputInput): void {
    this.outputs.push({ name, value });
  }
}

/** What a stack file's default export holds. */
export interface StackDefinition {
  readonly kind: "infra.stack-definition";
  readonly define: (stack: Stack) => void | Promise<void>;
}

/** A stack file's shape: `export default defineStack((stack) => { ... })`. */
export function defineStack(define: (stack: Stack) => void | Promise<void>): StackDefinition {
  return { kind: "infra.stack-definition", define };
}

export function isStackDefinition(v: unknown): v is StackDefinition {
  return typeof v === "object" && v !== null && (v as { kind?: unknown }).kind === "infra.stack-definition" &&
    typeof (v as { define?: unknown }).define === "function";
}
