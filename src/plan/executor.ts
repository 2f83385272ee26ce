/**
 * The executor: carries out a plan in dependency order with bounded parallelism, writing state
 * after every step. A failed step stops only what depends on it; an abort starts nothing new
 * and lets running steps finish and be recorded, so that the next plan converges.
 */
import { errorDiag, hasErrors, type Diagnostic } from "../diag/diagnostic.js";
import { InfraError } from "../diag/infra-error.js";
import { unwrapSecrets, type Props } from "../graph/value.js";
import { isProviderError, type Provider, type ProviderRegistry, type ResourceResult } from "../providers/contract.js";
import type { ResourceState, StateBackend, StateFile } from "../state/state-types.js";
import { addDeposed, pendingDeposed, removeDeposed } from "../state/deposed-objects.js";
import { addReleased } from "../state/released-objects.js";
import { buildApplySteps, deletesOldObject, type ApplyStep } from "./apply-steps.js";
import type { ChangeAction, ChangeNote, Plan, PlanChange } from "./plan-types.js";
import { mapProps, readAttribute, remainingRefs, resolveKnown, type RefLookup } from "./resolve-values.js";
import { withRetry, type RetryPolicy } from "./with-retry.js";

export interface ApplyEvent {
  kind: "start" | "done" | "failed" | "skipped";
  address: string;
  action: ChangeAction;
  /** The id of the deposed object this change deletes (see `PlanChange.deposed`). */
  deposed?: string;
  /** Since the change's first step started (0 for skipped). */
  elapsedMs: number;
  error?: Diagnostic;
  /** On `start`: the change's notes (an image its create pulls), for the progress view. */
  notes?: ChangeNote[];
}

export interface ApplyResult {
  state: StateFile;
  /** Orphans recorded as they were (`import`). */
  imported: number;
  added: number;
  changed: number;
  destroyed: number;
  failed: number;
  diagnostics: Diagnostic[];
  interrupted: boolean;
}

export interface ApplyInput {
  plan: Plan;
  state: StateFile;
  backend: StateBackend;
  providers: ProviderRegistry;
  parallelism: number;
  signal?: AbortSignal;
  onEvent?: (e: ApplyEvent) => void;
  /** How `Unavailable` failures are retried; 3 retries from 250 ms, doubling, by default. */
  retry?: RetryPolicy;
}

type StepStatus = "pending" | "running" | "done" | "failed" | "skipped";

interface ChangeProgress {
  change: PlanChange;
  steps: number;
  finished: number;
  startedAt?: number;
  ended: boolean;
}

export async function applyPlan(input: ApplyInput): Promise<ApplyResult> {
  const { plan, backend, providers } = input;
  if (hasErrors(plan.diagnostics)) {
    throw new InfraError("INFRA_APPLY_PLAN_HAS_ERRORS", "The plan has errors and cannot be applied", { diagnostics: plan.diagnostics.filter((d) => d.severity === "error") });
  }
  const parallelism = Math.max(1, Math.floor(input.parallelism));
  const state: StateFile = structuredClone(input.state);
  const diagnostics: Diagnostic[] = [];
  const result = { imported: 0, added: 0, changed: 0, destroyed: 0, failed: 0 };
  const emit = (kind: ApplyEvent["kind"], c: PlanChange, elapsedMs: number, error?: Diagnostic): void =>
    input.onEvent?.({
      kind, address: c.address, action: c.action, elapsedMs, ...(c.deposed === undefined ? {} : { deposed: c.deposed }), ...(error === undefined ? {} : { error }),
      ...(kind === "start" && c.notes !== undefined ? { notes: c.notes } : {}),
    });

  // Records naming the current object are no leftovers (see pendingDeposed): drop them.
  const pending = pendingDeposed(state);
  if (pending.length > 0) state.deposed = pending;
  else delete state.deposed;

  // Noops carry refreshed props and new options; record them without calling anyone.
  for (const c of plan.changes) {
    if (c.action !== "noop" || c.before === null) continue;
    const i = state.resources.findIndex((r) => r.address === c.address);
    if (i >= 0) state.resources[i] = { ...state.resources[i]!, props: c.before.props, outputs: c.before.outputs, dependencies: [...c.dependencies], options: pickOptions(c) };
  }

  const steps = buildApplySteps(plan.changes, state.resources);
  const byKey = new Map(steps.map((s) => [s.key, s]));
  const status = new Map<string, StepStatus>(steps.map((s) => [s.key, "pending"]));
  const dependents = new Map<string, string[]>(steps.map((s) => [s.key, []]));
  for (const s of steps) for (const a of s.after) dependents.get(a)?.push(s.key);
  const progress = new Map<number, ChangeProgress>();
  for (const s of steps) {
    const p = progress.get(s.changeIndex) ?? { change: s.change, steps: 0, finished: 0, ended: false };
    p.steps++;
    progress.set(s.changeIndex, p);
  }

  // Writes are serialised: each one carries the next serial and a snapshot of the state.
  let writes: Promise<void> = Promise.resolve();
  let writeFailed = false;
  const persist = (): Promise<void> => {
    state.serial += 1;
    const snapshot = structuredClone(state);
    writes = writes.then(async () => {
      if (writeFailed) return;
      try {
        await backend.write(snapshot);
      } catch (e) {
        writeFailed = true;
        diagnostics.push(toDiag(e, "INFRA_APPLY_STATE_WRITE_FAILED", `Could not write state to ${backend.location}`, undefined));
      }
    });
    return writes;
  };

  const lookup: RefLookup = (t) => {
    const r = state.resources.find((x) => x.address === t.address);
    return r === undefined ? undefined : readAttribute(r.outputs, r.props, t.attr);
  };

  const runStep = async (s: ApplyStep): Promise<void> => {
    const c = s.change;
    if (s.op === "forget") {
      addReleased(state, state.resources.filter((r) => r.address === c.address));
      state.resources = state.resources.filter((r) => r.address !== c.address);
      return persist();
    }
    const provider = providers.get(c.provider);
    if (provider === undefined) throw new InfraError("INFRA_APPLY_PROVIDER_UNKNOWN", `No provider named "${c.provider}" for ${c.address}`);
    const ctx = input.signal === undefined ? {} : { signal: input.signal };
    if (s.op === "delete") {
      const before = c.before!;
      const id = before.id ?? "";
      const old = deletesOldObject(c);
      // A replacement that came back as the same object (a content-addressed image) is not deleted.
      const sameAsCurrent = old && state.resources.some((r) => r.address === c.address && r.id === id);
      if (!sameAsCurrent) await withRetry(() => provider.delete({ type: c.type, address: c.address, id, props: plainProps(before.props), outputs: before.outputs }, ctx), input.retry);
      if (old) removeDeposed(state, c.address, id);
      else state.resources = state.resources.filter((r) => !(r.address === c.address && r.id === id));
      return persist();
    }
    const props = resolveAll(c, lookup);
    let res: ResourceResult;
    if (s.op === "import") {
      res = await readImported(c, props, (req) => withRetry(() => provider.read(req, ctx), input.retry));
    } else if (s.op === "create") {
      const create = (): Promise<ResourceResult> =>
        withRetry(() => provider.create({ type: c.type, address: c.address, props: plainProps(props), owner: { stack: plan.stack, address: c.address } }, ctx), input.retry);
      res = deletesOldObject(c) ? await createBesideOld(c, create) : await create();
    } else {
      const before = c.before!;
      res = await withRetry(
        () =>
          provider.update(
            { type: c.type, address: c.address, id: before.id ?? "", priorProps: plainProps(before.props), priorOutputs: before.outputs, props: plainProps(props), changed: c.attributes.map((a) => a.path), owner: { stack: plan.stack, address: c.address } },
            ctx,
          ),
        input.retry,
      );
    }
    record(state, { address: c.address, type: c.type, provider: c.provider, id: res.id, props, outputs: res.outputs, dependencies: [...c.dependencies], options: pickOptions(c), updatedAt: new Date().toISOString() });
    // The snapshot is taken now, before any other step can change the state.
    return persist();
  };

  /**
   * Create-before-delete: the old object is recorded as deposed (and that record is on disk)
   * before the replacement exists, so that dying before the old object's delete leaves a record
   * the next plan deletes. A failed create takes the record back: the old object stays current.
   */
  const createBesideOld = async (c: PlanChange, create: () => Promise<ResourceResult>): Promise<ResourceResult> => {
    const before = c.before!;
    const id = before.id ?? "";
    const dependencies = state.resources.find((r) => r.address === c.address)?.dependencies ?? [];
    addDeposed(state, { address: c.address, type: c.type, provider: c.provider, id, props: before.props, outputs: before.outputs, dependencies: [...dependencies], deposedAt: new Date().toISOString() });
    await persist();
    if (writeFailed) throw new InfraError("INFRA_APPLY_STATE_WRITE_FAILED", `Not replacing ${c.address}: its old object could not be recorded as deposed`, { hint: `Check that ${backend.location} is writable.` });
    try {
      return await create();
    } catch (e) {
      removeDeposed(state, c.address, id);
      await persist();
      throw e;
    }
  };

  const skipFrom = (key: string): void => {
    for (const k of dependents.get(key) ?? []) {
      if (status.get(k) !== "pending") continue;
      status.set(k, "skipped");
      const p = progress.get(byKey.get(k)!.changeIndex)!;
      if (!p.ended) {
        p.ended = true;
        emit("skipped", p.change, 0);
      }
      skipFrom(k);
    }
  };

  let interrupted = false;
  const ready: ApplyStep[] = steps.filter((s) => s.after.length === 0);
  const waiting = new Map(steps.map((s) => [s.key, s.after.length]));
  let running = 0;
  const order = (a: ApplyStep, b: ApplyStep): number => a.changeIndex - b.changeIndex || (a.op === "delete" ? -1 : 1);
  ready.sort(order);

  await new Promise<void>((resolve) => {
    const pump = (): void => {
      while (running < parallelism && ready.length > 0) {
        if (input.signal?.aborted === true || writeFailed) {
          interrupted = true;
          break;
        }
        launch(ready.shift()!);
      }
      if (running === 0) resolve();
    };
    const launch = (s: ApplyStep): void => {
      running++;
      status.set(s.key, "running");
      const p = progress.get(s.changeIndex)!;
      if (p.startedAt === undefined) {
        p.startedAt = Date.now();
        emit("start", s.change, 0);
      }
      runStep(s)
        .then(
          () => {
            status.set(s.key, "done");
            p.finished++;
            if (p.finished === p.steps && !p.ended) {
              p.ended = true;
              count(result, s.change.action);
              emit("done", s.change, Date.now() - p.startedAt!);
            }
            for (const k of dependents.get(s.key) ?? []) {
              const n = waiting.get(k)! - 1;
              waiting.set(k, n);
              if (n === 0 && status.get(k) === "pending") {
                ready.push(byKey.get(k)!);
                ready.sort(order);
              }
            }
          },
          (e: unknown) => {
            status.set(s.key, "failed");
            const d = toDiag(e, "INFRA_APPLY_STEP_FAILED", `Failed to ${s.op} ${s.change.address}`, s.change.address);
            diagnostics.push(d);
            if (!p.ended) {
              p.ended = true;
              result.failed++;
              emit("failed", s.change, Date.now() - p.startedAt!, d);
            }
            skipFrom(s.key);
          },
        )
        .finally(() => {
          running--;
          pump();
        });
    };
    pump();
  });

  if (!interrupted && input.signal?.aborted === true && [...status.values()].some((x) => x === "pending")) interrupted = true;
  state.outputs = finalOutputs(plan, state, lookup);
  await persist();
  return { state, ...result, diagnostics, interrupted };
}

function pickOptions(c: PlanChange): ResourceState["options"] {
  const o: ResourceState["options"] = {};
  if (c.options.protect !== undefined) o.protect = c.options.protect;
  if (c.options.retainOnDelete !== undefined) o.retainOnDelete = c.options.retainOnDelete;
  if (c.options.deleteBeforeReplace !== undefined) o.deleteBeforeReplace = c.options.deleteBeforeReplace;
  return o;
}

/** Props with every reference resolved from finished resources; secrets stay wrapped (for state). */
function resolveAll(c: PlanChange, lookup: RefLookup): Props {
  const props = mapProps(c.after?.props ?? {}, (v) => resolveKnown(v, lookup));
  const left = Object.values(props).flatMap((v) => remainingRefs(v));
  if (left.length > 0) {
    const names = [...new Set(left.map((r) => `${r.$ref.address}.${r.$ref.attr}`))].join(", ");
    throw new InfraError("INFRA_APPLY_UNRESOLVED", `Cannot ${c.action} ${c.address}: ${names} is not known`, {
      hint: "The resource it refers to was not created; fix that failure and apply again.",
    });
  }
  return props;
}

function plainProps(p: Props): Props {
  return unwrapSecrets(p) as Props;
}

function record(state: StateFile, r: ResourceState): void {
  const i = state.resources.findIndex((x) => x.address === r.address);
  if (i >= 0) state.resources[i] = r;
  else state.resources.push(r);
}

/** An orphan the plan adopts: read again (it may have gone since the plan), then recorded as it is. */
async function readImported(c: PlanChange, props: Props, read: (req: Parameters<Provider["read"]>[0]) => Promise<ResourceResult>): Promise<ResourceResult> {
  const before = c.before!;
  try {
    return await read({ type: c.type, address: c.address, id: before.id ?? "", props: plainProps(props), outputs: before.outputs });
  } catch (e) {
    if (!(isProviderError(e) && e.category === "NotFound")) throw e;
    throw new InfraError("INFRA_APPLY_ORPHAN_GONE", `Cannot import ${c.address}: ${c.type} ${before.id ?? ""} that the plan found is gone`, {
      detail: e.message,
      hint: "Run `infra plan` again: it will create the resource instead.",
    });
  }
}

function count(result: { imported: number; added: number; changed: number; destroyed: number }, action: ChangeAction): void {
  if (action === "import") result.imported++;
  else if (action === "create") result.added++;
  else if (action === "update") result.changed++;
  else if (action === "delete") result.destroyed++;
  else if (action === "replace") {
    result.added++;
    result.destroyed++;
  }
}

function finalOutputs(plan: Plan, state: StateFile, lookup: RefLookup): StateFile["outputs"] {
  const out = { ...state.outputs };
  for (const o of plan.outputs) {
    if (o.action === "delete") {
      delete out[o.name];
      continue;
    }
    if (o.after === undefined) continue;
    const v = resolveKnown(o.after, lookup);
    // An output whose resource failed keeps its last value rather than a dangling reference.
    if (remainingRefs(v).length === 0) out[o.name] = v;
  }
  return out;
}

function toDiag(e: unknown, code: string, summary: string, address: string | undefined): Diagnostic {
  const extra: Partial<Diagnostic> = { detail: e instanceof Error ? e.message : String(e) };
  if (address !== undefined) extra.address = address;
  if (isProviderError(e)) {
    extra.value = { category: e.category, code: e.code };
    if (e.hint !== undefined) extra.hint = e.hint;
  } else if (e instanceof InfraError) {
    return errorDiag(e.code, e.summary, { ...extra, ...(e.hint === undefined ? {} : { hint: e.hint }) });
  }
  return errorDiag(code, summary, extra);
}

