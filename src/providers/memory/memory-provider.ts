/**
 * A provider that keeps objects in a Map. It plans exactly as the real providers do (same
 * schema, same `diffProps`) and passes the same conformance suite; planner and executor tests
 * use its hooks to simulate drift, failures and slow calls.
 */
import type { Diagnostic } from "../../diag/diagnostic.js";
import type { ResourceType } from "../../graph/resource.js";
import { containsUnknown, collectRefs, type Props, type Value } from "../../graph/value.js";
import {
  ProviderError,
  type CreateRequest,
  type DeleteRequest,
  type DiffRequest,
  type DiffResponse,
  type DiscoveredObject,
  type DiscoverRequest,
  type FailureCategory,
  type OwnerLabels,
  type Provider,
  type ProviderSchema,
  type ReadRequest,
  type ResourceResult,
  type UpdateRequest,
  type ValidateRequest,
} from "../contract.js";
import { diffProps } from "../schema/diff-props.js";
import { RESOURCE_SCHEMAS } from "../schema/resource-schemas.js";
import { containerAddresses, makeOutputs, sha256, type OutputSeq } from "./memory-outputs.js";
import { validatePropsAgainstSchema } from "./validate-props.js";

export type MemoryOp = "create" | "read" | "update" | "delete" | "discover";

export interface MemoryObject {
  id: string;
  type: ResourceType;
  props: Props;
  outputs: Props;
  owner: OwnerLabels;
}

export interface MemoryCall {
  op: MemoryOp;
  address: string;
  id?: string;
}

/** A failure to inject: the next `times` calls of `op` (for `address`, when given) fail with `category`. */
export interface InjectedFailure {
  op: MemoryOp;
  category: FailureCategory;
  address?: string;
  times?: number;
}

export interface MemoryProviderOptions {
  /** Name it registers under; "memory" by default. */
  name?: string;
  /** Milliseconds each create/update/delete takes (to observe parallelism). */
  delayMs?: number;
}

// Names that the engine keeps unique per type: creating a second one is AlreadyExists, as on a real host.
const UNIQUE_NAMES: ReadonlySet<ResourceType> = new Set<ResourceType>(["container", "network", "volume"]);

function clone<T>(v: T): T {
  return structuredClone(v);
}

export class MemoryProvider implements Provider {
  readonly name: string;
  /** Every create/read/update/delete, in the order they started (`discover` is counted in `discoveries`). */
  readonly calls: MemoryCall[] = [];
  /** How many times `discover` was called. */
  discoveries = 0;
  /** Highest number of create/update/delete calls running at once. */
  maxInFlight = 0;
  private inFlight = 0;
  private readonly objects = new Map<string, MemoryObject>();
  private readonly failures: InjectedFailure[] = [];
  private readonly seq: OutputSeq = { ip: 0, port: 0, subnet: 0 };
  private counter = 0;
  private delayMs: number;

  constructor(opts: MemoryProviderOptions = {}) {
    this.name = opts.name ?? "memory";
    this.delayMs = opts.delayMs ?? 0;
  }

  schema(): ProviderSchema {
    return { provider: this.name, version: "1", resources: RESOURCE_SCHEMAS };
  }

  validate(req: ValidateRequest): Diagnostic[] {
    return validatePropsAgainstSchema(RESOURCE_SCHEMAS[req.type], req, this.name);
  }

  diff(req: DiffRequest): DiffResponse {
    return diffProps(RESOURCE_SCHEMAS[req.type], req.priorProps, req.desiredProps);
  }

  async preflight(req: ValidateRequest): Promise<Diagnostic[]> {
    if (req.type !== "container") return [];
    const wanted = fixedHostPorts(req.props);
    const diags: Diagnostic[] = [];
    for (const o of this.objects.values()) {
      if (o.type !== "container" || o.owner.address === req.address) continue;
      for (const p of fixedHostPorts(o.props)) {
        if (!wanted.includes(p)) continue;
        diags.push({
          code: "INFRA_PROVIDER_PORT_IN_USE",
          severity: "error",
          summary: `Host port ${p} is already published by ${o.owner.address}`,
          address: req.address,
          attribute: "ports",
          value: p,
          hint: "Pick another host port, or remove the other container first.",
        });
      }
    }
    return diags;
  }

  async create(req: CreateRequest): Promise<ResourceResult> {
    return this.mutate("create", req.address, async () => {
      assertResolved(req.props, req.address);
      const name = req.props.name;
      if (UNIQUE_NAMES.has(req.type) && typeof name === "string") {
        for (const o of this.objects.values()) {
          if (o.type === req.type && o.props.name === name) {
            throw new ProviderError("AlreadyExists", "INFRA_MEMORY_NAME_TAKEN", `A ${req.type} named "${name}" already exists (${o.owner.address})`, {
              hint: "Delete the other object first, or use deleteBeforeReplace.",
            });
          }
        }
      }
      this.counter += 1;
      const id = `${req.type.slice(0, 3)}-${sha256(`${this.name}:${this.counter}:${req.address}`).slice(0, 12)}`;
      const obj: MemoryObject = { id, type: req.type, props: clone(req.props), outputs: makeOutputs(req.type, id, req.address, req.props, this.seq), owner: { ...req.owner } };
      this.objects.set(id, obj);
      return result(obj);
    });
  }

  async read(req: ReadRequest): Promise<ResourceResult> {
    this.calls.push({ op: "read", address: req.address, id: req.id });
    this.takeFailure("read", req.address);
    const obj = this.objects.get(req.id);
    if (obj === undefined || obj.type !== req.type) {
      throw new ProviderError("NotFound", "INFRA_MEMORY_NOT_FOUND", `No ${req.type} with id ${req.id}`);
    }
    return result(obj);
  }

  async update(req: UpdateRequest): Promise<ResourceResult> {
    return this.mutate("update", req.address, async () => {
      assertResolved(req.props, req.address);
      const obj = this.objects.get(req.id);
      if (obj === undefined) throw new ProviderError("NotFound", "INFRA_MEMORY_NOT_FOUND", `No ${req.type} with id ${req.id}`);
      const schema = RESOURCE_SCHEMAS[req.type];
      const forbidden = req.changed.filter((k) => (schema.attributes[k]?.onChange ?? "replace") !== "update");
      if (forbidden.length > 0) {
        throw new ProviderError("Invalid", "INFRA_MEMORY_CANNOT_UPDATE", `Cannot change ${forbidden.join(", ")} of ${req.address} in place`, {
          hint: "These attributes force replacement.",
        });
      }
      obj.props = clone(req.props);
      obj.owner = { ...req.owner };
      if (req.type === "container" && req.changed.includes("networks")) Object.assign(obj.outputs, containerAddresses(obj.props, this.seq));
      return result(obj);
    });
  }

  async delete(req: DeleteRequest): Promise<void> {
    await this.mutate("delete", req.address, async () => {
      this.objects.delete(req.id);
    });
  }

  async discover(req: DiscoverRequest): Promise<DiscoveredObject[]> {
    // Counted apart from `calls` (create/read/update/delete), which tests compare whole.
    this.discoveries += 1;
    this.takeFailure("discover", req.stack);
    const mine = [...this.objects.values()].filter((o) => o.owner.stack === req.stack && o.owner.address !== "");
    return mine.map((o) => ({ type: o.type, address: o.owner.address, id: o.id, dependencies: usedAddresses(o, mine) }));
  }

  // ---- test hooks ----

  /** Removes an object behind the planner's back (drift: deleted). */
  simulateDelete(id: string): void {
    this.objects.delete(id);
  }

  /** Changes an object's props or outputs behind the planner's back (drift: changed). */
  simulateModify(id: string, patch: { props?: Record<string, Value | undefined>; outputs?: Props }): void {
    const obj = this.objects.get(id);
    if (obj === undefined) throw new Error(`simulateModify: no object ${id}`);
    for (const [k, v] of Object.entries(patch.props ?? {})) {
      if (v === undefined) delete obj.props[k];
      else obj.props[k] = clone(v);
    }
    Object.assign(obj.outputs, clone(patch.outputs ?? {}));
  }

  /** Makes the next matching call(s) fail with the given category. */
  failNext(f: InjectedFailure): void {
    this.failures.push({ ...f, times: f.times ?? 1 });
  }

  setDelay(ms: number): void {
    this.delayMs = ms;
  }

  /** A copy of every object, sorted by owner address. */
  list(): MemoryObject[] {
    return [...this.objects.values()].map(clone).sort((a, b) => (a.owner.address < b.owner.address ? -1 : a.owner.address > b.owner.address ? 1 : 0));
  }

  get(id: string): MemoryObject | undefined {
    const o = this.objects.get(id);
    return o === undefined ? undefined : clone(o);
  }

  /** Adds an object that infra did not create (for import tests). */
  seed(type: ResourceType, props: Props, owner: OwnerLabels = { stack: "", address: "" }): string {
    this.counter += 1;
    const id = `${type.slice(0, 3)}-${sha256(`${this.name}:seed:${this.counter}`).slice(0, 12)}`;
    this.objects.set(id, { id, type, props: clone(props), outputs: makeOutputs(type, id, owner.address || `${type}.seeded`, props, this.seq), owner });
    return id;
  }

  private takeFailure(op: MemoryOp, address: string): void {
    const i = this.failures.findIndex((f) => f.op === op && (f.address === undefined || f.address === address));
    if (i < 0) return;
    const f = this.failures[i]!;
    f.times = (f.times ?? 1) - 1;
    if (f.times <= 0) this.failures.splice(i, 1);
    throw new ProviderError(f.category, `INFRA_MEMORY_INJECTED_${f.category.toUpperCase()}`, `Injected ${f.category} failure on ${op} of ${address}`);
  }

  private async mutate<T>(op: MemoryOp, address: string, fn: () => Promise<T>): Promise<T> {
    this.calls.push({ op, address });
    this.inFlight += 1;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      if (this.delayMs > 0) await new Promise((r) => setTimeout(r, this.delayMs));
      this.takeFailure(op, address);
      return await fn();
    } finally {
      this.inFlight -= 1;
    }
  }
}

function result(obj: MemoryObject): ResourceResult {
  return { id: obj.id, props: clone(obj.props), outputs: clone(obj.outputs) };
}

function assertResolved(props: Props, address: string): void {
  for (const [k, v] of Object.entries(props)) {
    if (containsUnknown(v) || collectRefs(v).length > 0) {
      throw new ProviderError("Invalid", "INFRA_MEMORY_UNRESOLVED", `Attribute ${k} of ${address} is not resolved`, {
        hint: "The executor must resolve references before calling the provider.",
      });
    }
  }
}

/** Addresses of the other objects whose name or id appears among `o`'s props (references resolve to names and ids). */
function usedAddresses(o: MemoryObject, mine: readonly MemoryObject[]): string[] {
  const strings = new Set<string>();
  const walk = (v: Value): void => {
    if (typeof v === "string") strings.add(v);
    else if (Array.isArray(v)) v.forEach(walk);
    else if (typeof v === "object" && v !== null) Object.values(v).forEach((x) => walk(x as Value));
  };
  walk(o.props);
  const used = mine.filter((x) => x.id !== o.id && (strings.has(x.id) || (typeof x.props.name === "string" && strings.has(x.props.name))));
  return [...new Set(used.map((x) => x.owner.address))].filter((a) => a !== o.owner.address).sort();
}

function fixedHostPorts(props: Props): number[] {
  const out: number[] = [];
  for (const p of Array.isArray(props.ports) ? props.ports : []) {
    if (typeof p !== "object" || p === null || Array.isArray(p)) continue;
    const hp = (p as Record<string, Value>).hostPort;
    if (typeof hp === "number") out.push(hp);
  }
  return out;
}
