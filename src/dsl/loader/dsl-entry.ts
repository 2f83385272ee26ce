/**
 * Where the running CLI's own DSL lives, so that a stack's `import ... from "infra"` resolves to
 * it even without node_modules: `dist/dsl/index.js` (+ `.d.ts`) when built, `src/dsl/index.ts` under tsx.
 */
import { existsSync } from "node:fs";
import * as path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

export interface DslEntry {
  /** File URL the stack's compiled code imports (same module instance as the CLI's). */
  runtimeUrl: string;
  /** File the type checker resolves "infra" to. */
  typesFile: string;
  /** The CLI's compiled (dist/) or source (src/) tree; files below it are the CLI's, not the user's. */
  codeRoot: string;
}

let cached: DslEntry | undefined;

export function dslEntry(): DslEntry {
  if (cached !== undefined) return cached;
  const js = fileURLToPath(new URL("../index.js", import.meta.url));
  const dslDir = path.dirname(js);
  const codeRoot = path.dirname(dslDir);
  if (existsSync(js)) {
    const dts = path.join(dslDir, "index.d.ts");
    cached = { runtimeUrl: pathToFileURL(js).href, typesFile: existsSync(dts) ? dts : js, codeRoot };
  } else {
    const ts = path.join(dslDir, "index.ts");
    cached = { runtimeUrl: pathToFileURL(ts).href, typesFile: ts, codeRoot };
  }
  return cached;
}

/** The module name stacks import the DSL by. */
export const DSL_SPECIFIER = "infra";
