/**
 * Type-checks a stack with the TypeScript compiler API. Library and DSL source files are parsed
 * once per process and reused (they do not change while it runs); user files are always read fresh.
 */
import { createRequire } from "node:module";
import * as path from "node:path";
import type * as TS from "typescript";
import { errorDiag, type Diagnostic } from "../../diag/diagnostic.js";
import { codeFrame } from "./code-frame.js";
import { dslEntry } from "./dsl-entry.js";
import { stackCompilerJson } from "./stack-tsconfig.js";

type TypeScript = typeof TS;

let tsModule: TypeScript | undefined;
/** Loaded with require: `import()` of this 9 MB CommonJS file first scans it for named exports (~0.3 s). */
export async function loadTypeScript(): Promise<TypeScript> {
  tsModule ??= createRequire(import.meta.url)("typescript") as TypeScript;
  return tsModule;
}

const sharedFiles = new Map<string, TS.SourceFile>();

/** The options of stack-tsconfig.ts (the same ones `infra init` writes for editors), for the compiler API. */
export function stackCompilerOptions(ts: TypeScript): TS.CompilerOptions {
  const { options, errors } = ts.convertCompilerOptionsFromJson(stackCompilerJson(), "/");
  if (errors.length > 0) throw new Error(`stack compiler options: ${ts.flattenDiagnosticMessageText(errors[0]!.messageText, "\n")}`);
  return options;
}

export interface TypecheckResult {
  diagnostics: Diagnostic[];
  /** Every source file of the program that is not a TypeScript default library file. */
  files: string[];
}

/** Whether a file belongs to the user (not the CLI's own package, not node_modules, not .d.ts). */
export function isUserSource(file: string): boolean {
  const root = dslEntry().codeRoot + path.sep;
  return !file.startsWith(root) && !file.includes(`${path.sep}node_modules${path.sep}`) && /\.(m?ts|tsx)$/.test(file) && !/\.d\.m?ts$/.test(file);
}

function toDiagnostic(ts: TypeScript, d: TS.Diagnostic): Diagnostic {
  const chain = ts.flattenDiagnosticMessageText(d.messageText, "\n").split("\n");
  const summary = `TS${d.code}: ${chain[0] ?? ""}`;
  if (d.file === undefined || d.start === undefined) return errorDiag("INFRA_LOAD_TYPE_ERROR", summary, chain.length > 1 ? { detail: chain.slice(1).join("\n") } : {});
  const pos = d.file.getLineAndCharacterOfPosition(d.start);
  const frame = codeFrame(d.file.text, pos.line + 1, pos.character + 1, d.length ?? 1);
  const rest = chain.slice(1).map((l) => l.trim()).filter((l) => l !== "");
  return errorDiag("INFRA_LOAD_TYPE_ERROR", summary, {
    location: { file: d.file.fileName, line: pos.line + 1, column: pos.character + 1 },
    detail: [frame, ...rest].join("\n"),
    hint: "fix the type error; nothing was planned or changed",
  });
}

export function typecheckStack(file: string): Promise<TypecheckResult> {
  return typecheckFiles([file]);
}

/** One program over several user files (the docs' examples test checks every snippet at once). */
export async function typecheckFiles(rootNames: readonly string[]): Promise<TypecheckResult> {
  const ts = await loadTypeScript();
  const options = stackCompilerOptions(ts);
  const host = ts.createCompilerHost(options, true);
  const libDir = path.dirname(ts.getDefaultLibFilePath(options));
  const reusable = (f: string): boolean => f.startsWith(libDir) || !isUserSource(f);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (fileName, languageVersion, onError, shouldCreate) => {
    if (!reusable(fileName)) return getSourceFile(fileName, languageVersion, onError, shouldCreate);
    let sf = sharedFiles.get(fileName);
    if (sf === undefined) {
      sf = getSourceFile(fileName, languageVersion, onError, shouldCreate);
      if (sf !== undefined) sharedFiles.set(fileName, sf);
    }
    return sf;
  };
  const program = ts.createProgram({ rootNames, options, host });
  const all = [...program.getConfigFileParsingDiagnostics(), ...program.getOptionsDiagnostics(), ...program.getGlobalDiagnostics()];
  for (const sf of program.getSourceFiles()) {
    if (!isUserSource(sf.fileName)) continue;
    all.push(...program.getSyntacticDiagnostics(sf), ...program.getSemanticDiagnostics(sf));
  }
  const diagnostics = all.filter((d) => d.category === ts.DiagnosticCategory.Error).map((d) => toDiagnostic(ts, d));
  const files = program.getSourceFiles().map((sf) => sf.fileName).filter((f) => !f.startsWith(libDir + "/") || !/\/lib\.[^/]*\.d\.ts$/.test(f));
  return { diagnostics, files };
}
