/**
 * Validation of a synthesised graph, pure: every problem at once, each a Diagnostic with a stable
 * code, the resource address, the attribute, the bad value and a hint.
 */
import { errorDiag, type Diagnostic } from "../diag/diagnostic.js";
import { findCycles, formatCycle } from "../graph/graph-ops.js";
import type { ResourceNode, StackGraph } from "../graph/resource.js";
import { collectRefs, type Value } from "../graph/value.js";
import { validateContainer } from "./validate/validate-container.js";
import { validateNetworks } from "./validate/validate-network.js";
import { validatePortConflicts } from "./validate/validate-ports.js";
import { closest } from "./normalise/synth-context.js";
import { SPEC_KEYS, REF_ATTRS } from "./validate/spec-keys.js";

/** Docker's rule for container, network and volume names. */
export const ENGINE_NAME_RE = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;
const ID_RE = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

export function validateGraph(graph: StackGraph): Diagnostic[] {
  const out: Diagnostic[] = [];
  const byAddress = new Map<string, ResourceNode>();
  for (const r of graph.resources) {
    if (byAddress.has(r.address)) {
      out.push(errorDiag("INFRA_VALIDATE_DUPLICATE_ID", `${r.address} is declared twice`, {
        address: r.address, value: r.name, hint: "give each resource of a kind its own id within its scope",
        ...(r.source ? { location: r.source } : {}),
      }));
    } else {
      byAddress.set(r.address, r);
    }
    for (const seg of r.name.split("/")) {
      if (!ID_RE.test(seg)) {
        out.push(errorDiag("INFRA_VALIDATE_INVALID_ID", `id "${seg}" of ${r.address} is not a valid id`, {
          address: r.address, value: seg, hint: "ids start with a letter or digit and hold only letters, digits, '_', '.' and '-'",
        }));
      }
    }
  }
  checkNames(graph, out);
  for (const r of graph.resources) {
    checkKeys(r, out);
    checkRefs(r, byAddress, out);
    if (r.type === "container") validateContainer(r, byAddress, out);
  }
  for (const o of graph.outputs) checkValueRefs(o.value, `output ${o.name}`, undefined, byAddress, out);
  validateNetworks(graph.resources, out);
  validatePortConflicts(graph.resources, out);
  for (const cycle of findCycles(graph.resources)) {
    out.push(errorDiag("INFRA_VALIDATE_CYCLE", `dependency cycle: ${formatCycle(cycle)}`, {
      address: cycle[0], value: cycle, hint: "remove one of the references or dependsOn entries in the cycle",
    }));
  }
  return out;
}

function checkNames(graph: StackGraph, out: Diagnostic[]): void {
  const seen = new Map<string, string>();
  for (const r of graph.resources) {
    const name = r.props.name;
    if (typeof name !== "string") continue;
    if (r.type !== "image" && !ENGINE_NAME_RE.test(name)) {
      out.push(errorDiag("INFRA_VALIDATE_INVALID_NAME", `${r.type} name "${name}" is not valid`, {
        address: r.address, attribute: "name", value: name,
        hint: "names match [a-zA-Z0-9][a-zA-Z0-9_.-]+ (at least two characters, no spaces or slashes)" +
          (name.startsWith(graph.stack) ? `; the default name starts with the stack name "${graph.stack}": choose another with -p NAME, or set name` : ""),
      }));
    }
    const key = `${r.type}\u0000${name}`;
    const other = seen.get(key);
    if (other !== undefined && other !== r.address) {
      out.push(errorDiag("INFRA_VALIDATE_DUPLICATE_NAME", `${r.address} and ${other} both use the ${r.type} name "${name}"`, {
        address: r.address, attribute: "name", value: name, hint: "give one of them another name (or leave name unset for the default)",
      }));
    } else {
      seen.set(key, r.address);
    }
  }
}

function checkKeys(r: ResourceNode, out: Diagnostic[]): void {
  const known = SPEC_KEYS[r.type];
  if (known === undefined) {
    out.push(errorDiag("INFRA_VALIDATE_UNKNOWN_TYPE", `${r.address} has unknown type "${String(r.type)}"`, {
      address: r.address, value: r.type, hint: "types are container, image, network and volume",
    }));
    return;
  }
  for (const k of Object.keys(r.props)) {
    if (known.includes(k)) continue;
    const near = closest(k, known);
    out.push(errorDiag("INFRA_VALIDATE_UNKNOWN_KEY", `${r.address} has unknown attribute "${k}"`, {
      address: r.address, attribute: k, value: k, hint: near !== undefined ? `did you mean "${near}"?` : `known attributes: ${known.join(", ")}`,
    }));
  }
}

function checkRefs(r: ResourceNode, byAddress: Map<string, ResourceNode>, out: Diagnostic[]): void {
  for (const [k, v] of Object.entries(r.props)) checkValueRefs(v, k, r.address, byAddress, out);
  for (const d of r.options.dependsOn ?? []) {
    if (!byAddress.has(d)) {
      out.push(errorDiag("INFRA_VALIDATE_DANGLING_REF", `${r.address} depends on ${d}, which is not in the stack`, {
        address: r.address, attribute: "dependsOn", value: d, hint: "declare that resource in this stack, or remove it from dependsOn",
      }));
    }
  }
}

function checkValueRefs(v: Value, attribute: string, address: string | undefined, byAddress: Map<string, ResourceNode>, out: Diagnostic[]): void {
  for (const t of collectRefs(v)) {
    const target = byAddress.get(t.address);
    const where = address ?? attribute;
    if (target === undefined) {
      out.push(errorDiag("INFRA_VALIDATE_DANGLING_REF", `${where} refers to ${t.address}, which is not in the stack`, {
        ...(address !== undefined ? { address } : {}), attribute, value: `${t.address}.${t.attr}`,
        hint: "declare that resource in this stack, or remove the reference",
      }));
      continue;
    }
    const head = t.attr.split(".")[0] ?? "";
    const attrs = REF_ATTRS[target.type] ?? [];
    if (!attrs.includes(head)) {
      out.push(errorDiag("INFRA_VALIDATE_DANGLING_REF", `${where} refers to attribute "${t.attr}" that ${t.address} does not have`, {
        ...(address !== undefined ? { address } : {}), attribute, value: `${t.address}.${t.attr}`,
        hint: `a ${target.type} has: ${attrs.join(", ")}`,
      }));
    }
  }
}
