/**
 * Stack tree → resource graph, in named phases: collect, resolve references and normalise props
 * into the specs, compute dependencies, validate. Pure: no I/O, no globals.
 */
import type { Diagnostic } from "../diag/diagnostic.js";
import type { OutputNode, ResourceNode, ResourceOptions as GraphOptions, StackGraph } from "../graph/resource.js";
import { collectRefs, type Props } from "../graph/value.js";
import { Container } from "./container.js";
import { declarationSite, type SourceMapCache } from "./declaration-site.js";
import { Image } from "./image.js";
import { Network } from "./network.js";
import { normaliseContainer } from "./normalise/normalise-container.js";
import { normaliseImage, normaliseNetwork, normaliseVolume } from "./normalise/normalise-simple.js";
import { SynthContext } from "./normalise/synth-context.js";
import { Resource } from "./resource.js";
import type { Stack } from "./stack.js";
import { validateGraph } from "./validate-graph.js";
import { Volume } from "./volume.js";

/** What only the loader can fill in (it reads files; synth does not). */
export interface HostInputs {
  /** Env files per container, as written (relative to the stack's directory). */
  envFiles: Array<{ address: string; files: string[] }>;
}

export interface SynthResult {
  graph: StackGraph;
  diagnostics: Diagnostic[];
  hostInputs: HostInputs;
}

/** Phase 1: every resource in the tree, in declaration order. */
export function collectResources(stack: Stack): Resource[] {
  return stack.node.findAll().filter((c): c is Resource => c instanceof Resource);
}

/** Phase 2: references resolved and props normalised into the canonical spec of the type. */
export function normaliseProps(ctx: SynthContext, r: Resource): Props {
  ctx.address = r.address;
  if (r instanceof Container) return normaliseContainer(ctx, r);
  if (r instanceof Network) return normaliseNetwork(ctx, r);
  if (r instanceof Volume) return normaliseVolume(ctx, r);
  if (r instanceof Image) return normaliseImage(ctx, r);
  return {};
}

function graphOptions(ctx: SynthContext, r: Resource): GraphOptions {
  const o = r.options;
  const out: GraphOptions = {};
  if (o.dependsOn !== undefined) {
    const list = Array.isArray(o.dependsOn) ? o.dependsOn : [o.dependsOn];
    out.dependsOn = [];
    list.forEach((d, i) => {
      if (!(d instanceof Resource)) {
        ctx.error("INFRA_VALIDATE_INVALID_VALUE", `dependsOn[${i}] is not a resource`, `dependsOn[${i}]`, String(d), "list resources of this stack");
      } else if (d.node.root !== ctx.stack) {
        ctx.error("INFRA_VALIDATE_FOREIGN_REF", `dependsOn names ${d.address} of another stack`, `dependsOn[${i}]`, d.address, "a stack can only depend on its own resources");
      } else {
        out.dependsOn?.push(d.address);
      }
    });
  }
  for (const k of ["protect", "retainOnDelete", "deleteBeforeReplace"] as const) if (o[k] !== undefined) out[k] = o[k];
  for (const k of ["ignoreChanges", "replaceOnChanges"] as const) if (o[k] !== undefined) out[k] = [...(o[k] ?? [])];
  return out;
}

/** Phase 3: explicit dependsOn plus every address referenced from the props; sorted, unique. */
export function computeDependencies(props: Props, options: GraphOptions): string[] {
  const deps = new Set(options.dependsOn ?? []);
  for (const t of collectRefs(props)) deps.add(t.address);
  return [...deps].sort();
}

export function synth(stack: Stack): SynthResult {
  const diagnostics: Diagnostic[] = [];
  const ctx = new SynthContext(stack, diagnostics);
  const hostInputs: HostInputs = { envFiles: [] };
  const resources: ResourceNode[] = [];
  const sourceMaps: SourceMapCache = new Map();
  for (const r of collectResources(stack)) {
    const props = normaliseProps(ctx, r);
    const options = graphOptions(ctx, r);
    const node: ResourceNode = {
      address: r.address,
      type: r.resourceType,
      name: r.node.path,
      provider: r.options.provider ?? stack.provider,
      props,
      options,
      dependencies: computeDependencies(props, options),
    };
    const source = declarationSite(r.declaredAt, sourceMaps);
    if (source !== undefined) node.source = source;
    resources.push(node);
    if (r instanceof Container && r.rawProps.envFiles !== undefined) {
      const f = r.rawProps.envFiles;
      hostInputs.envFiles.push({ address: r.address, files: typeof f === "string" ? [f] : [...f] });
    }
  }
  const outputs: OutputNode[] = [];
  const seen = new Set<string>();
  for (const o of stack.outputs) {
    ctx.address = `output.${o.name}`;
    if (seen.has(o.name)) ctx.error("INFRA_VALIDATE_DUPLICATE_ID", `output "${o.name}" is declared twice`, undefined, o.name, "give each output its own name");
    seen.add(o.name);
    const value = ctx.toValue(o.value, `output.${o.name}`);
    outputs.push({ name: o.name, value: value ?? null });
  }
  const graph: StackGraph = { stack: stack.name, resources, outputs };
  // Phase 4: validation of the whole graph, after the per-resource problems found above.
  diagnostics.push(...validateGraph(graph));
  return { graph, diagnostics, hostInputs };
}
