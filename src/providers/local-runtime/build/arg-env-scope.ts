import type { DockerfileKeyValue } from "./dockerfile-types.js";
import { expandWord, expandWords, type ExpandOptions } from "./variable-expansion.js";

export interface ArgEnvScopeInit {
  /** `--build-arg` values: they replace the default of an ARG with the same name. */
  buildArgs?: Readonly<Record<string, string>>;
  /**
   * Values the builder provides without a declaration (TARGETARCH, BUILDPLATFORM ...): seen in
   * FROM lines, and inside a stage once declared with `ARG NAME`.
   */
  builtinArgs?: Readonly<Record<string, string>>;
  escapeToken?: "\\" | "`";
}

/**
 * Which variables an instruction sees, with Docker's rules: ARGs before the first FROM are
 * global and visible only in FROM lines; a stage sees a global ARG only after redeclaring it
 * (`ARG NAME`, which takes the global value); `--build-arg` overrides defaults; ENV wins over
 * an ARG of the same name. Values in one ARG/ENV line are expanded with the scope before it.
 */
export class ArgEnvScope {
  private readonly args = new Map<string, string | undefined>();
  private readonly env = new Map<string, string>();

  private constructor(
    private readonly init: ArgEnvScopeInit,
    /** For stage scopes: the global values `ARG NAME` inherits. */
    private readonly globals: ReadonlyMap<string, string | undefined>,
  ) {}

  /** The scope of the lines before the first FROM; seeds itself with the builtin args. */
  static global(init: ArgEnvScopeInit = {}): ArgEnvScope {
    const scope = new ArgEnvScope(init, new Map());
    for (const [k, v] of Object.entries(init.builtinArgs ?? {})) scope.args.set(k, v);
    return scope;
  }

  /** A fresh stage scope: no ARGs yet; ENV from the base image (or the base stage). */
  stage(baseEnv: Readonly<Record<string, string>> = {}): ArgEnvScope {
    const globals = new Map(this.args);
    for (const [k, v] of Object.entries(this.init.builtinArgs ?? {})) if (!globals.has(k)) globals.set(k, v);
    const scope = new ArgEnvScope(this.init, globals);
    for (const [k, v] of Object.entries(baseEnv)) scope.env.set(k, v);
    return scope;
  }

  /** What `$name` means here: ENV first, then declared ARGs; undefined when unset. */
  readonly lookup = (name: string): string | undefined => {
    const e = this.env.get(name);
    return e !== undefined ? e : this.args.get(name);
  };

  private expandOpts(): ExpandOptions {
    return this.init.escapeToken !== undefined ? { escapeToken: this.init.escapeToken } : {};
  }

  expandWord(text: string): string {
    return expandWord(text, this.lookup, this.expandOpts());
  }

  expandWords(text: string): string[] {
    return expandWords(text, this.lookup, this.expandOpts());
  }

  /** ARG line: each default may use the ARGs and ENV before it, including earlier ones on the line. */
  declareArgs(kvs: readonly DockerfileKeyValue[]): void {
    for (const kv of kvs) {
      const given = this.init.buildArgs?.[kv.key];
      let value: string | undefined;
      if (given !== undefined) value = given;
      else if (kv.raw !== undefined) value = this.expandWord(kv.raw);
      else value = this.globals.has(kv.key) ? this.globals.get(kv.key) : this.init.builtinArgs?.[kv.key];
      this.args.set(kv.key, value);
    }
  }

  /** ENV line: every value is expanded with the scope before the line, then all are set. */
  applyEnv(kvs: readonly DockerfileKeyValue[]): void {
    const values = kvs.map((kv) => this.expandWord(kv.raw ?? kv.value ?? ""));
    kvs.forEach((kv, i) => this.env.set(kv.key, values[i] as string));
  }

  /** The ENV variables, for the image config and for RUN. */
  envRecord(): Record<string, string> {
    return Object.fromEntries(this.env);
  }

  /** Declared ARGs (undefined = declared without a value); RUN sees the set ones. */
  argRecord(): Record<string, string | undefined> {
    return Object.fromEntries(this.args);
  }
}
