/**
 * The DSL objects a compose project becomes, as data: which resources, with which props, where
 * a prop points at another resource (`{ $resource: key }`). Both the compose route
 * (`composeStack`) and the TypeScript writer read this one description, so that the two cannot
 * drift apart.
 */
export interface ModelRef {
  $resource: string;
}

export type ModelValue = null | boolean | number | string | ModelRef | ModelValue[] | { [k: string]: ModelValue | undefined };

export type ModelKind = "Image" | "Network" | "Volume" | "Container";

export interface ModelResource {
  /** Unique within the model: `<kind>:<id>`. */
  key: string;
  kind: ModelKind;
  /** The construct id (part of the address). */
  id: string;
  /** A variable name for generated code. */
  varName: string;
  props: { [k: string]: ModelValue | undefined };
  dependsOn?: ModelRef[];
  /** Where in the compose file it came from, for generated comments. */
  origin: string;
}

export interface StackModel {
  project: string;
  /** In an order where every reference points backwards. */
  resources: ModelResource[];
}

export function isModelRef(v: unknown): v is ModelRef {
  return typeof v === "object" && v !== null && typeof (v as ModelRef).$resource === "string" && Object.keys(v).length === 1;
}
