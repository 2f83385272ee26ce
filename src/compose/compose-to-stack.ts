/**
 * Builds the DSL objects of a compose project into a Stack, so that a compose file is planned
 * and applied exactly like a TypeScript stack. `composeStack` loads the files (I/O);
 * `instantiateModel` only constructs objects.
 */
import { hasErrors, type Diagnostic } from "../diag/diagnostic.js";
import { Container } from "../dsl/container.js";
import type { ContainerProps } from "../dsl/container-props.js";
import { Image, type ImageProps } from "../dsl/image.js";
import { Network, type NetworkProps } from "../dsl/network.js";
import type { Resource } from "../dsl/resource.js";
import type { Stack } from "../dsl/stack.js";
import { Volume, type VolumeProps } from "../dsl/volume.js";
import type { ComposeProject } from "./compose-model.js";
import { composeToModel } from "./compose-to-model.js";
import { loadComposeProject, type LoadComposeOptions } from "./load-compose.js";
import type { LocationIndex } from "./read-context.js";
import { isModelRef, type ModelValue, type StackModel } from "./stack-model.js";

export interface ComposeStack {
  project: ComposeProject;
  /** Where each key path was written, to point graph nodes at compose lines. */
  locations: LocationIndex;
  model: StackModel;
  /** Loader and converter problems; with an error among them, `define` must not be used. */
  diagnostics: Diagnostic[];
  /** The stack's name: the compose project name (`-p`, COMPOSE_PROJECT_NAME, `name:`, the directory). */
  stackName: string;
  /** Adds the project's resources to a Stack named `stackName`. */
  define: (stack: Stack) => void;
}

export async function composeStack(opts: LoadComposeOptions): Promise<ComposeStack> {
  const { project, diagnostics, locations } = await loadComposeProject(opts);
  const converted = hasErrors(diagnostics) ? { model: { project: project.name, resources: [] }, diagnostics: [] } : composeToModel(project);
  return {
    project,
    locations,
    model: converted.model,
    diagnostics: [...diagnostics, ...converted.diagnostics],
    stackName: project.name,
    define: (stack) => {
      instantiateModel(stack, converted.model);
    },
  };
}

/** Constructs every resource of the model under `stack`; returns them by model key. */
export function instantiateModel(stack: Stack, model: StackModel): Map<string, Resource> {
  const made = new Map<string, Resource>();
  const resolve = (v: ModelValue | undefined): unknown => {
    if (v === undefined || v === null || typeof v !== "object") return v;
    if (isModelRef(v)) {
      const r = made.get(v.$resource);
      if (!r) throw new Error(`stack model refers to ${v.$resource} before it is built`);
      return r;
    }
    if (Array.isArray(v)) return v.map(resolve);
    const o: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (x !== undefined) o[k] = resolve(x);
    return o;
  };
  for (const r of model.resources) {
    const props = resolve(r.props as ModelValue) as Record<string, unknown>;
    const dependsOn = r.dependsOn?.map((d) => resolve(d) as Resource);
    const options = dependsOn ? { dependsOn } : undefined;
    let built: Resource;
    switch (r.kind) {
      case "Image":
        built = new Image(stack, r.id, props as ImageProps, options);
        break;
      case "Network":
        built = new Network(stack, r.id, props as NetworkProps, options);
        break;
      case "Volume":
        built = new Volume(stack, r.id, props as VolumeProps, options);
        break;
      case "Container":
        built = new Container(stack, r.id, props as unknown as ContainerProps, options);
        break;
    }
    made.set(r.key, built);
  }
  return made;
}
