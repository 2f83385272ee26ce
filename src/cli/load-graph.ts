/**
 * Type-checks, runs and validates the stack. The loader is imported lazily: it pulls in the
 * TypeScript compiler, which commands like `version` and `state list` should not pay for.
 */
import { hasErrors, type Diagnostic } from "../diag/diagnostic.js";
import { InfraError } from "../diag/infra-error.js";
import type { StackLimits } from "../dsl/loader/stack-limits.js";
import type { StackGraph } from "../graph/resource.js";
import type { CommandIO } from "./command.js";
import { printDiagnostics } from "./print-diagnostics.js";
import type { StackContext } from "./stack-context.js";

export interface LoadedGraph {
  graph: StackGraph;
  timings: { typecheckMs: number; runMs: number; synthMs: number };
  typecheckCached: boolean;
}

/** `limits` bound the stack program (a compose file is not a program); io.signal stops it at once. */
export async function loadGraph(ctx: StackContext, io: CommandIO, limits?: StackLimits): Promise<LoadedGraph> {
  const loaded = ctx.kind === "compose" ? await loadCompose(ctx, io) : await loadTypeScript(ctx, io, limits);
  const diags: Diagnostic[] = loaded.diagnostics;
  if (hasErrors(diags)) {
    const count = diags.filter((d) => d.severity === "error").length;
    throw new InfraError("INFRA_CLI_STACK_INVALID", `The stack has ${count} error${count === 1 ? "" : "s"}`, { diagnostics: dedupe(diags) });
  }
  printDiagnostics(io, dedupe(diags));
  return { graph: loaded.graph, timings: loaded.timings, typecheckCached: loaded.typecheckCached };
}

async function loadTypeScript(ctx: StackContext, io: CommandIO, limits: StackLimits | undefined): Promise<LoadedGraph & { diagnostics: Diagnostic[] }> {
  const { loadStack } = await import("../dsl/loader/load-stack.js");
  // synth validates the graph, for both kinds of stack.
  return loadStack({
    file: ctx.file, stackName: ctx.stackName, cacheDir: ctx.cacheDir,
    ...(limits !== undefined ? { limits } : {}),
    ...(io.signal !== undefined ? { signal: io.signal } : {}),
  });
}

async function loadCompose(ctx: StackContext, io: CommandIO): Promise<LoadedGraph & { diagnostics: Diagnostic[] }> {
  const { loadComposeStack } = await import("../compose/load-compose-stack.js");
  const started = performance.now();
  const loaded = await loadComposeStack({ files: ctx.files, projectName: ctx.stackName, env: io.env, cwd: ctx.dir });
  const synthMs = performance.now() - started;
  return {
    graph: loaded.graph,
    diagnostics: loaded.diagnostics,
    timings: { typecheckMs: 0, runMs: 0, synthMs },
    typecheckCached: true,
  };
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
