/**
 * For CLI end-to-end tests only (INFRA_PROVIDER=memory): the in-memory provider with its objects
 * kept in a JSON file, so that plan → apply → plan → destroy work across processes without root.
 * The MemoryProvider has no restore API, so objects are re-seeded on load and their ids mapped
 * back to the ids infra recorded.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import type { ResourceType } from "../graph/resource.js";
import type { Props } from "../graph/value.js";
import type {
  CreateRequest,
  DeleteRequest,
  DiffRequest,
  DiscoveredObject,
  DiscoverRequest,
  OwnerLabels,
  Provider,
  ReadRequest,
  ResourceResult,
  UpdateRequest,
  ValidateRequest,
} from "../providers/contract.js";
import { MemoryProvider } from "../providers/memory/memory-provider.js";

interface StoredObject {
  id: string;
  type: ResourceType;
  props: Props;
  outputs: Props;
  owner: OwnerLabels;
}

export class PersistedMemoryProvider implements Provider {
  readonly name = "memory";
  private readonly mem = new MemoryProvider();
  /** External (recorded) id → the id inside `mem`, and back. */
  private readonly toInner = new Map<string, string>();
  private readonly toOuter = new Map<string, string>();

  constructor(
    private readonly file: string,
    opts: { delayMs?: number } = {},
  ) {
    if (opts.delayMs !== undefined) this.mem.setDelay(opts.delayMs);
    if (!existsSync(file)) return;
    const stored = JSON.parse(readFileSync(file, "utf8")) as { objects: StoredObject[] };
    for (const o of stored.objects) {
      const inner = this.mem.seed(o.type, o.props, o.owner);
      this.mem.simulateModify(inner, { outputs: o.outputs });
      this.link(o.id, inner);
    }
  }

  schema(): ReturnType<Provider["schema"]> {
    return this.mem.schema();
  }
  validate(req: ValidateRequest): ReturnType<Provider["validate"]> {
    return this.mem.validate(req);
  }
  diff(req: DiffRequest): ReturnType<Provider["diff"]> {
    return this.mem.diff(req);
  }
  preflight(req: ValidateRequest): ReturnType<NonNullable<Provider["preflight"]>> {
    return this.mem.preflight(req);
  }

  async create(req: CreateRequest): Promise<ResourceResult> {
    const r = await this.mem.create(req);
    // An id recorded by an earlier process may equal a fresh inner id: give the new object another.
    let outer = r.id;
    for (let n = 2; this.toInner.has(outer); n++) outer = `${r.id}-${n}`;
    this.link(outer, r.id);
    this.save();
    return { ...r, id: outer };
  }
  async read(req: ReadRequest): Promise<ResourceResult> {
    const r = await this.mem.read({ ...req, id: this.inner(req.id) });
    return { ...r, id: req.id };
  }
  async update(req: UpdateRequest): Promise<ResourceResult> {
    const r = await this.mem.update({ ...req, id: this.inner(req.id) });
    this.save();
    return { ...r, id: req.id };
  }
  async delete(req: DeleteRequest): Promise<void> {
    const inner = this.inner(req.id);
    await this.mem.delete({ ...req, id: inner });
    this.toInner.delete(req.id);
    this.toOuter.delete(inner);
    this.save();
  }

  async discover(req: DiscoverRequest): Promise<DiscoveredObject[]> {
    return (await this.mem.discover(req)).map((o) => ({ ...o, id: this.toOuter.get(o.id) ?? o.id }));
  }

  private link(outer: string, inner: string): void {
    this.toInner.set(outer, inner);
    this.toOuter.set(inner, outer);
  }

  /** Unknown ids pass through, so that reads of them fail NotFound as they should. */
  private inner(outer: string): string {
    return this.toInner.get(outer) ?? outer;
  }

  private save(): void {
    const objects: StoredObject[] = this.mem.list().map((o) => ({ ...o, id: this.toOuter.get(o.id) ?? o.id }));
    mkdirSync(dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify({ objects }, null, 2) + "\n");
    renameSync(tmp, this.file);
  }
}
