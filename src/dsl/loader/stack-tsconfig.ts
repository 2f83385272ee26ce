/**
 * The compiler options a stack is checked with, in tsconfig.json's own spelling: `infra check`
 * converts them for the compiler API, and `infra init` writes them to a tsconfig.json so that an
 * editor resolves `import ... from "infra"` to this install's declarations and reports what
 * `infra check` reports.
 */
import { createRequire } from "node:module";
import * as path from "node:path";
import { DSL_SPECIFIER, dslEntry } from "./dsl-entry.js";

export interface StackTsconfig {
  compilerOptions: Record<string, unknown>;
  include: string[];
}

function nodeTypesRoot(): string | undefined {
  try {
    const req = createRequire(import.meta.url);
    return path.dirname(path.dirname(req.resolve("@types/node/package.json")));
  } catch {
    return undefined;
  }
}

/** Absolute paths into this install (its DSL declarations, its @types/node), computed now. */
export function stackCompilerJson(): Record<string, unknown> {
  const typeRoot = nodeTypesRoot();
  return {
    target: "ES2022",
    module: "ESNext",
    moduleResolution: "Bundler",
    lib: ["ES2023"],
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    esModuleInterop: true,
    allowImportingTsExtensions: true,
    resolveJsonModule: true,
    types: typeRoot === undefined ? [] : ["node"],
    ...(typeRoot === undefined ? {} : { typeRoots: [typeRoot] }),
    paths: { [DSL_SPECIFIER]: [dslEntry().typesFile] },
  };
}

/** The tsconfig.json `infra init` writes beside a stack. */
export function stackTsconfig(): StackTsconfig {
  return { compilerOptions: stackCompilerJson(), include: ["**/*.ts"] };
}
