/**
 * The only provider type the planner and executor know. Request/response methods; failures are
 * `ProviderError`s whose `category` callers branch on (never the message text).
 * Providers never import plan/, dsl/, state/ or cli/.
 */
import type { Diagnostic } from "../diag/diagnostic.js";
import type { ResourceType } from "../graph/resource.js";
import type { Props } from "../graph/value.js";

export type FailureCategory = "NotFound" | "AlreadyExists" | "Conflict" | "Unavailable" | "Invalid" | "Internal";

export const FAILURE_CATEGORIES: readonly FailureCategory[] = [
  "NotFound",
  "AlreadyExists",
  "Conflict",
  "Unavailable",
  "Invalid",
  "Internal",
];

const BRAND = Symbol.for("infra.ProviderError");

export class ProviderError extends Error {
  readonly [BRAND] = true;
  readonly category: FailureCategory;
  readonly code: string;
  readonly hint: string | undefined;
  constructor(category: FailureCategory, code: string, message: string, opts: { hint?: string; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = "ProviderError";
    this.category = category;
    this.code = code;
    this.hint = opts.hint;
  }
  /** Unavailable failures may succeed when tried again. */
  get retryable(): boolean {
    return this.category === "Unavailable";
  }
}

export function isProviderError(e: unknown): e is ProviderError {
  return typeof e === "object" && e !== null && (e as Record<symbol, unknown>)[BRAND] === true;
}

/** How an input attribute behaves when it changes. */
export type ChangeMode = "replace" | "update";

export interface AttributeSchema {
  /** `update`: the provider changes it in place; `replace`: a change forces replacement. */
  onChange: ChangeMode;
  /** Redacted in views even when not wrapped in `secret()`. */
  sensitive?: boolean;
  description?: string;
}

export interface OutputSchema {
  description: string;
  /**
   * When the value can differ after an in-place update (so the plan shows it unknown): `true` for
   * any update, or the input attributes whose change affects it.
   */
  changesOnUpdate?: boolean | string[];
  /** The input attribute this output always equals, so the plan can show it before apply. */
  fromInput?: string;
}

export interface ResourceSchema {
  type: ResourceType;
  /** Input attributes. An attribute not listed here is refused by `validate`. */
  attributes: Record<string, AttributeSchema>;
  /** Attributes known only after create (id, ip addresses, digests, random ports ...). */
  outputs: Record<string, OutputSchema>;
}

export interface ProviderSchema {
  provider: string;
  version: string;
  resources: Partial<Record<ResourceType, ResourceSchema>>;
}

/** Labels every created object carries so that it can be traced back to its stack. */
export interface OwnerLabels {
  stack: string;
  address: string;
}

export interface ValidateRequest {
  type: ResourceType;
  address: string;
  /** Desired props; may contain unknowns (`{$unknown:true}`) where references are not yet resolved. */
  props: Props;
}

export interface DiffRequest {
  type: ResourceType;
  address: string;
  id: string;
  /** What was recorded (or refreshed), fully known. */
  priorProps: Props;
  priorOutputs: Props;
  /** What the stack wants; references already resolved where known, `{$unknown:true}` where not. */
  desiredProps: Props;
}

export interface DiffResponse {
  /** Top-level input attributes whose desired value differs from the prior one. */
  changed: string[];
  /** The subset of `changed` that forces replacement. */
  replace: string[];
  /** Outputs that will be unknown after the update (empty when replacing: then all are). */
  unknownOutputs: string[];
}

export interface CreateRequest {
  type: ResourceType;
  address: string;
  /** Fully resolved props (no refs, no unknowns; secrets unwrapped). */
  props: Props;
  owner: OwnerLabels;
}

export interface ResourceResult {
  /** The provider's id for the object (container id, network name, image digest ...). */
  id: string;
  /** Inputs as the object has them now (for drift detection). */
  props: Props;
  outputs: Props;
}

export interface ReadRequest {
  type: ResourceType;
  address: string;
  id: string;
  /** The recorded inputs; empty for an import, where `read` reports what it finds. */
  props: Props;
  outputs: Props;
}

export interface UpdateRequest {
  type: ResourceType;
  address: string;
  id: string;
  priorProps: Props;
  priorOutputs: Props;
  /** Fully resolved desired props. */
  props: Props;
  /** The attributes to change (from `diff`). */
  changed: string[];
  owner: OwnerLabels;
}

export interface DeleteRequest {
  type: ResourceType;
  address: string;
  id: string;
  props: Props;
  outputs: Props;
}

/** Which owner's objects `discover` lists. */
export interface DiscoverRequest {
  /** The stack name carried by the objects' owner labels. */
  stack: string;
}

/**
 * An object found live that carries a stack's owner labels. The planner reads it (through `read`)
 * when it must compare it with the stack; `discover` itself only says what exists and whose it is.
 */
export interface DiscoveredObject {
  type: ResourceType;
  /** The owner label's address. */
  address: string;
  id: string;
  /**
   * Addresses (owner labels of the same stack) of the objects it uses, e.g. a container's
   * networks and volumes: a destroy deletes it before them.
   */
  dependencies: string[];
}

/** Context for one planner or executor run; providers may use it for cancellation and logs. */
export interface ProviderCallContext {
  signal?: AbortSignal;
  /** What a step does on its way that a user waits for (an image pulled before a create). */
  onNote?: (note: ChangeNote) => void;
}

/** Something a change will do besides its attributes, for the plan and apply views (data, not text). */
export interface ChangeNote {
  /** `image_pull`: the image is neither stored nor built by the stack; the create pulls it. */
  code: "image_pull";
  image: string;
}

export interface Provider {
  readonly name: string;
  schema(): ProviderSchema;
  /** Checks props without touching anything. Returns every problem found. */
  validate(req: ValidateRequest): Diagnostic[] | Promise<Diagnostic[]>;
  /** Pure: which attributes change, which of them force replacement. */
  diff(req: DiffRequest): DiffResponse | Promise<DiffResponse>;
  create(req: CreateRequest, ctx?: ProviderCallContext): Promise<ResourceResult>;
  /** Throws ProviderError NotFound when the object is gone. */
  read(req: ReadRequest, ctx?: ProviderCallContext): Promise<ResourceResult>;
  update(req: UpdateRequest, ctx?: ProviderCallContext): Promise<ResourceResult>;
  /** Deleting what is already gone succeeds. */
  delete(req: DeleteRequest, ctx?: ProviderCallContext): Promise<void>;
  /**
   * Every live object labelled with the stack's owner labels, whether state records it or not:
   * objects created by an apply that died before recording them are found (and adopted) this way.
   */
  discover?(req: DiscoverRequest, ctx?: ProviderCallContext): Promise<DiscoveredObject[]>;
  /** Checks, at plan time, conditions of the live system (e.g. a host port already in use). */
  preflight?(req: ValidateRequest): Promise<Diagnostic[]>;
  /** At plan time, for a create or replace: what the change will do besides its attributes. */
  notes?(req: ValidateRequest): Promise<ChangeNote[]>;
  /** Releases connections; called once by the CLI at the end. */
  close?(): Promise<void>;
}

/** Looks providers up by name; the CLI builds it, the planner and executor only read it. */
export type ProviderRegistry = ReadonlyMap<string, Provider>;
