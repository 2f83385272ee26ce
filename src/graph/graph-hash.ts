import { createHash } from "node:crypto";
import type { StackGraph } from "./resource.js";
import { canonicalJson } from "./value.js";

/** A digest of the desired graph, independent of key order. Saved plans record it. */
export function hashGraph(graph: StackGraph): string {
  const resources = [...graph.resources]
    .sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0))
    .map((r) => ({ address: r.address, type: r.type, provider: r.provider, props: r.props, options: r.options, dependencies: r.dependencies }));
  const outputs = [...graph.outputs].sort((a, b) => (a.name < b.name ? -1 : 1));
  return "sha256:" + createHash("sha256").update(canonicalJson({ stack: graph.stack, resources, outputs })).digest("hex");
}
