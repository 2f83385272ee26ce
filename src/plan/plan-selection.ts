/**
 * Which addresses a plan may touch, from `--target` and `--exclude`. Targets bring their
 * dependencies (creating them needs those); excludes take their dependents with them (those
 * would otherwise change under a resource left alone). In destroy mode the directions swap.
 */
import { errorDiag, type Diagnostic } from "../diag/diagnostic.js";
import { closure, reverseEdges } from "./plan-order.js";

export interface Selection {
  /** True for an address the plan may change. */
  inScope(address: string): boolean;
  diagnostics: Diagnostic[];
}

export function selectAddresses(
  edges: ReadonlyMap<string, readonly string[]>,
  opts: { targets: readonly string[]; excludes: readonly string[]; replace?: readonly string[]; destroy: boolean },
): Selection {
  const diagnostics: Diagnostic[] = [];
  // Every address named on the command line must exist; --replace is only checked here.
  for (const [flag, list] of [["--target", opts.targets], ["--exclude", opts.excludes], ["--replace", opts.replace ?? []]] as const) {
    for (const a of list) {
      if (edges.has(a)) continue;
      diagnostics.push(
        errorDiag("INFRA_PLAN_UNKNOWN_ADDRESS", `${flag} ${a}: no such resource in the stack or the state`, {
          address: a,
          value: a,
          hint: "Run `infra state list` to see recorded addresses.",
        }),
      );
    }
  }
  const dependents = reverseEdges(edges);
  const targeted = opts.targets.length === 0 ? undefined : closure(opts.targets, opts.destroy ? dependents : edges);
  const excluded = closure(opts.excludes, opts.destroy ? edges : dependents);
  return {
    inScope: (a) => (targeted === undefined || targeted.has(a)) && !excluded.has(a),
    diagnostics,
  };
}
