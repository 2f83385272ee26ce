/**
 * A compose file planned like a stack file: load, convert, synthesise, then read what only the
 * file system knows (build context hashes), as `loadStack` does for TypeScript. Each graph node
 * points at the compose line it came from.
 */
import { dirname } from "node:path";
import { hasErrors, type Diagnostic } from "../diag/diagnostic.js";
import { InfraError } from "../diag/infra-error.js";
import { applyHostInputs } from "../dsl/loader/host-inputs.js";
import { Stack } from "../dsl/stack.js";
import { synth } from "../dsl/synth.js";
import type { StackGraph } from "../graph/resource.js";
import type { ComposeProject } from "./compose-model.js";
import { composeStack } from "./compose-to-stack.js";
import { lookup, type LoadComposeOptions } from "./load-compose.js";

export interface LoadComposeStackResult {
  graph: StackGraph;
  project: ComposeProject;
  /** Warnings only; errors are thrown as one InfraError carrying all of them. */
  diagnostics: Diagnostic[];
}

export async function loadComposeStack(opts: LoadComposeOptions): Promise<LoadComposeStackResult> {
  const cs = await composeStack(opts);
  if (hasErrors(cs.diagnostics)) throw failed(cs.diagnostics, "the compose project has errors");
  const stack = new Stack(cs.stackName, { dir: cs.project.working_dir });
  cs.define(stack);
  const result = synth(stack);
  const hostDiags = await applyHostInputs(result.graph, result.hostInputs, dirname(cs.project.files[0] ?? cs.project.working_dir));
  const diagnostics = [...cs.diagnostics, ...result.diagnostics, ...hostDiags];
  const origins = new Map(cs.model.resources.map((r) => [`${r.kind.toLowerCase()}.${r.id}`, r.origin]));
  for (const node of result.graph.resources) {
    const origin = origins.get(node.address);
    const loc = origin === undefined ? undefined : lookup(cs.locations, origin);
    if (loc) node.source = loc;
    else delete node.source;
  }
  if (hasErrors(diagnostics)) throw failed(diagnostics, "the stack made from the compose project is not valid");
  return { graph: result.graph, project: cs.project, diagnostics };
}

function failed(diagnostics: Diagnostic[], summary: string): InfraError {
  const n = diagnostics.filter((d) => d.severity === "error").length;
  return new InfraError("INFRA_COMPOSE_INVALID", `${summary} (${n} error${n === 1 ? "" : "s"})`, {
    diagnostics,
    hint: "Fix the compose file; nothing was planned or changed.",
  });
}
