/** The DSL users import as "infra". Constructing only builds a tree; `synth` emits the graph. */
export { Construct, ConstructNode, Group } from "./construct.js";
export { Stack, defineStack, isStackDefinition, type StackOptions, type StackDefinition, type OutputInput } from "./stack.js";
export { Resource, type ResourceOptions } from "./resource.js";
export { Image, type ImageProps, type ImageBuildProps } from "./image.js";
export { Container } from "./container.js";
export type * from "./container-props.js";
export { Network, type NetworkProps } from "./network.js";
export { Volume, type VolumeProps } from "./volume.js";
export { Ref, isRefObject, type Input } from "./ref.js";
export { Secret, secret, isSecretObject } from "./secret.js";
export { synth, type SynthResult, type HostInputs } from "./synth.js";
export { validateGraph } from "./validate-graph.js";
