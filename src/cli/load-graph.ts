/**
 * Type-checks, runs and validates the stack. The loader is imported lazily: it pulls in the
 * TypeScript compiler, which commands like `version` and `state list` should not pay for.
 */
import { hasErrors, type Diagnostic } from "../diag/diagnostic.js";
import { InfraError } from "../diag/infra-error.js";
import type { StackGraph } from "../graph/resource.js";
import type { CommandIO } from "./command.js";
import { printDiagnostics } from "./print-diagnostics.js";
import type { StackContext } from "./stack-context.js";

export interface LoadedGraph {
  graph: StackGraph;
  timings: { typecheckMs: number; runMs: number; synthMs: number };
  typecheckCached: boolean;
}

export async function loadGraph(ctx: StackContext, io: CommandIO): Promise<LoadedGraph> {
  const { loadStack } = await import("../dsl/loader/load-stack.js");
  const { validateGraph } = await import("../dsl/validate-graph.js");
  const loaded = await loadStack({ file: ctx.file, stackName: ctx.stackName, cacheDir: ctx.cacheDir });
  const diags: Diagnostic[] = [...loaded.diagnostics, ...validateGraph(loaded.graph)];
  if (hasErrors(diags)) {
    const count = diags.filter((d) => d.severity === "error").length;
    throw new InfraError("INFRA_CLI_STACK_INVALID", `The stack has ${count} error${count === 1 ? "" : "s"}`, { diagnostics: dedupe(diags) });
  }
  printDiagnostics(io, dedupe(diags));
  return { graph: loaded.graph, timings: loaded.timings, typecheckCached: loaded.typecheckCached };
}

/** The loader may already report what validation finds; show each problem once. */
function dedupe(diags: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return diags.filter((d) => {
    const key = `${d.code}\u0000${d.address ?? ""}\u0000${d.attribute ?? ""}\u0000${d.summary}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
