/**
 * Turns the stack's own .ts files into ESM JavaScript in the cache, with inline source maps that
 * point back at the .ts files, and rewrites import specifiers so that the output runs from there:
 * "infra" becomes the running CLI's DSL entry (one module instance, so instanceof works).
 */
import { existsSync } from "node:fs";
import { promises as fs } from "node:fs";
import { builtinModules, createRequire } from "node:module";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import type * as TS from "typescript";
import { DSL_SPECIFIER, dslEntry } from "./dsl-entry.js";
import { isUserSource, loadTypeScript } from "./typecheck.js";

/** Where a user source file's JavaScript goes: its absolute path mirrored below `outDir`, as .mjs (ESM whatever package.json says). */
export function mirrorPath(outDir: string, file: string): string {
  const rel = path.resolve(file).replace(/^[/\\]+/, "").replace(/:/g, "");
  return path.join(outDir, rel).replace(/\.(m?)tsx?$/, ".mjs");
}

function findTsFile(base: string): string | undefined {
  const candidates = /\.m?js$/.test(base)
    ? [base.replace(/\.js$/, ".ts").replace(/\.mjs$/, ".mts")]
    : /\.(m?ts|tsx)$/.test(base)
      ? [base]
      : [`${base}.ts`, `${base}.mts`, `${base}.tsx`, path.join(base, "index.ts")];
  return candidates.find((c) => existsSync(c));
}

/** The specifier to write into `file`'s JavaScript for `spec`. */
export function rewriteSpecifier(spec: string, file: string, outDir: string): string {
  if (spec === DSL_SPECIFIER) return dslEntry().runtimeUrl;
  if (spec.startsWith("node:") || builtinModules.includes(spec)) return spec;
  if (spec.startsWith(".") || spec.startsWith("/")) {
    const base = path.resolve(path.dirname(file), spec);
    const ts = findTsFile(base);
    if (ts !== undefined && isUserSource(ts)) {
      let rel = path.relative(path.dirname(mirrorPath(outDir, file)), mirrorPath(outDir, ts)).split(path.sep).join("/");
      if (!rel.startsWith(".")) rel = `./${rel}`;
      return rel;
    }
    return existsSync(base) ? pathToFileURL(base).href : spec;
  }
  // A package the user installed beside the stack: resolve it from there, not from the cache.
  try {
    return pathToFileURL(createRequire(file).resolve(spec)).href;
  } catch {
    return spec;
  }
}

function specifierTransformer(ts: typeof TS, file: string, outDir: string): TS.TransformerFactory<TS.SourceFile> {
  return (context) => {
    const f = context.factory;
    const visit = (node: TS.Node): TS.Node => {
      if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
        return f.updateImportDeclaration(node, node.modifiers, node.importClause, f.createStringLiteral(rewriteSpecifier(node.moduleSpecifier.text, file, outDir)), node.attributes);
      }
      if (ts.isExportDeclaration(node) && node.moduleSpecifier !== undefined && ts.isStringLiteral(node.moduleSpecifier)) {
        return f.updateExportDeclaration(node, node.modifiers, node.isTypeOnly, node.exportClause, f.createStringLiteral(rewriteSpecifier(node.moduleSpecifier.text, file, outDir)), node.attributes);
      }
      if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && node.arguments.length >= 1) {
        const a = node.arguments[0];
        if (a !== undefined && ts.isStringLiteral(a)) {
          return f.updateCallExpression(node, node.expression, node.typeArguments, [f.createStringLiteral(rewriteSpecifier(a.text, file, outDir)), ...node.arguments.slice(1)]);
        }
      }
      return ts.visitEachChild(node, visit, context);
    };
    return (sf) => ts.visitNode(sf, visit) as TS.SourceFile;
  };
}

/** Transpiles one file; the source map names the .ts file by URL so stack traces show its lines. */
export async function transpileFile(file: string, outDir: string): Promise<string> {
  const ts = await loadTypeScript();
  const source = await fs.readFile(file, "utf8");
  const result = ts.transpileModule(source, {
    fileName: file,
    compilerOptions: {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
      sourceMap: true,
      inlineSources: true,
      verbatimModuleSyntax: false,
      esModuleInterop: true,
    },
    transformers: { before: [specifierTransformer(ts, file, outDir)] },
  });
  const map = JSON.parse(result.sourceMapText ?? "{}") as { sources?: string[]; sourceRoot?: string; file?: string };
  map.sources = [pathToFileURL(file).href];
  delete map.sourceRoot;
  const out = mirrorPath(outDir, file);
  map.file = path.basename(out);
  const js = result.outputText.replace(/\n?\/\/# sourceMappingURL=.*\s*$/, "");
  await fs.mkdir(path.dirname(out), { recursive: true });
  await fs.writeFile(out, `${js}\n//# sourceMappingURL=data:application/json;base64,${Buffer.from(JSON.stringify(map)).toString("base64")}\n`);
  return out;
}
