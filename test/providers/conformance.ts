/**
 * The provider contract as tests: every provider (memory, local-runtime, coreos-cluster) runs
 * this suite from its own test file. Call it with a factory that returns a fresh provider and
 * its cleanup; `sampleProps` must return props valid for the type and unique on each call
 * (names included), so that runs never meet each other.
 */
import { randomBytes } from "node:crypto";
import type { Test } from "tap";
import type { ResourceType } from "../../src/graph/resource.js";
import type { Props, Value } from "../../src/graph/value.js";
import { FAILURE_CATEGORIES, isProviderError, type Provider } from "../../src/providers/contract.js";
import { sameAttribute } from "../../src/providers/schema/diff-props.js";

export interface ConformanceOptions {
  types: ResourceType[];
  sampleProps(type: ResourceType): Props;
  /** A change to an `update`-mode attribute of `props`; a default is derived when absent. `undefined`: the type has none to try. */
  updateProps?(type: ResourceType, props: Props): Props | undefined;
  /**
   * Types whose objects carry the owner labels `discover` lists them by (all of `types` when
   * absent). A type left out must still never be listed under a stack (local-runtime: images,
   * whose labels are part of their content).
   */
  discoverTypes?: ResourceType[];
}

type Factory = () => Promise<{ provider: Provider; cleanup(): Promise<void> }>;

const OWNER_STACK = "conformance";

/** Default in-place changes for the attributes the shared schema marks `update`. */
const UPDATE_VALUES: Record<string, (old: Value | undefined) => Value> = {
  labels: (old) => ({ ...(typeof old === "object" && old !== null && !Array.isArray(old) ? (old as Record<string, Value>) : {}), "infra.conformance": "updated" }),
  restart: () => ({ policy: "always" }),
  resources: () => ({ memory: 64 * 1024 * 1024 }),
  keepLocally: (old) => old !== true,
  pull: (old) => (old === "never" ? "missing" : "never"),
};

function defaultUpdate(provider: Provider, type: ResourceType, props: Props): Props | undefined {
  const schema = provider.schema().resources[type];
  for (const [attr, s] of Object.entries(schema?.attributes ?? {})) {
    const make = UPDATE_VALUES[attr];
    if (s.onChange === "update" && make !== undefined) return { ...props, [attr]: make(props[attr]) };
  }
  return undefined;
}

function changedValue(v: Value): Value {
  if (typeof v === "string") return `${v}-changed`;
  if (typeof v === "number") return v + 1;
  if (typeof v === "boolean") return !v;
  if (Array.isArray(v)) return [...v, ...v];
  if (v === null) return "changed";
  return { ...(v as Record<string, Value>), "infra-conformance": "changed" };
}

async function withProvider(t: Test, make: Factory): Promise<{ provider: Provider; track(type: ResourceType, address: string, id: string, props: Props): void }> {
  const { provider, cleanup } = await make();
  const created: Array<{ type: ResourceType; address: string; id: string; props: Props }> = [];
  t.teardown(async () => {
    for (const c of created.reverse()) await provider.delete({ ...c, outputs: {} }).catch(() => undefined);
    await cleanup();
  });
  return { provider, track: (type, address, id, props) => created.push({ type, address, id, props }) };
}

export function providerConformance(t: Test, name: string, makeProvider: Factory, opts: ConformanceOptions): Promise<void> {
  return t.test(`provider conformance: ${name}`, async (t) => {
    for (const type of opts.types) {
      const address = `${type}.conformance`;
      const owner = { stack: OWNER_STACK, address };

      await t.test(`${type}: schema shape`, async (t) => {
        const { provider } = await withProvider(t, makeProvider);
        const s = provider.schema();
        t.equal(s.provider, provider.name, "schema names the provider");
        t.type(s.version, "string");
        const rs = s.resources[type];
        t.ok(rs, `has a schema for ${type}`);
        t.equal(rs?.type, type);
        for (const [attr, a] of Object.entries(rs?.attributes ?? {})) t.ok(a.onChange === "replace" || a.onChange === "update", `${attr}: onChange is replace or update`);
        t.ok(Object.keys(rs?.outputs ?? {}).includes("id"), "outputs include id");
        for (const [out, o] of Object.entries(rs?.outputs ?? {})) t.type(o.description, "string", `${out} has a description`);
      });

      await t.test(`${type}: validate accepts the sample and rejects an unknown attribute`, async (t) => {
        const { provider } = await withProvider(t, makeProvider);
        const props = opts.sampleProps(type);
        t.same((await provider.validate({ type, address, props })).filter((d) => d.severity === "error"), [], "sample is valid");
        const bad = await provider.validate({ type, address, props: { ...props, zzNotAnAttribute: 1 } });
        const d = bad.find((x) => x.severity === "error" && (x.attribute === "zzNotAnAttribute" || x.summary.includes("zzNotAnAttribute")));
        t.ok(d, "an error names the unknown attribute");
        t.match(d?.code, /^INFRA_[A-Z0-9]+_[A-Z0-9_]+$/, "with a stable code");
        t.equal(d?.address, address);
      });

      await t.test(`${type}: create then read returns the same props; read of a deleted id is NotFound; delete twice succeeds`, async (t) => {
        const { provider, track } = await withProvider(t, makeProvider);
        const props = opts.sampleProps(type);
        const created = await provider.create({ type, address, props, owner });
        track(type, address, created.id, props);
        t.type(created.id, "string");
        t.ok(created.id.length > 0, "has an id");
        t.equal(created.outputs.id !== undefined, true, "outputs.id is set");
        const read = await provider.read({ type, address, id: created.id, props, outputs: created.outputs });
        t.equal(read.id, created.id);
        for (const k of Object.keys(props)) t.ok(sameAttribute(props[k], read.props[k]), `read returns ${k} as created`);
        await provider.delete({ type, address, id: created.id, props, outputs: created.outputs });
        const err = await provider.read({ type, address, id: created.id, props, outputs: created.outputs }).then(
          () => undefined,
          (e: unknown) => e,
        );
        t.ok(isProviderError(err), "a ProviderError");
        t.equal(isProviderError(err) ? err.category : undefined, "NotFound");
        await t.resolves(provider.delete({ type, address, id: created.id, props, outputs: created.outputs }), "deleting again succeeds");
      });

      await t.test(`${type}: update of an update-mode attribute keeps the id`, async (t) => {
        const { provider, track } = await withProvider(t, makeProvider);
        const props = opts.sampleProps(type);
        const next = opts.updateProps ? opts.updateProps(type, props) : defaultUpdate(provider, type, props);
        if (next === undefined) {
          t.pass(`${type} has no update-mode attribute to try`);
          return;
        }
        const rs = provider.schema().resources[type]!;
        const created = await provider.create({ type, address, props, owner });
        track(type, address, created.id, props);
        const d = await provider.diff({ type, address, id: created.id, priorProps: props, priorOutputs: created.outputs, desiredProps: next });
        t.ok(d.changed.length > 0, "diff sees a change");
        t.same(d.replace, [], "nothing forces replacement");
        t.ok(d.changed.every((k) => rs.attributes[k]?.onChange === "update"));
        const updated = await provider.update({ type, address, id: created.id, priorProps: props, priorOutputs: created.outputs, props: next, changed: d.changed, owner });
        t.equal(updated.id, created.id, "same id");
        const read = await provider.read({ type, address, id: created.id, props: next, outputs: updated.outputs });
        for (const k of d.changed) t.ok(sameAttribute(next[k], read.props[k]), `${k} changed in place`);
      });

      await t.test(`${type}: diff flags a replace-mode change as replace`, async (t) => {
        const { provider } = await withProvider(t, makeProvider);
        const props = opts.sampleProps(type);
        const rs = provider.schema().resources[type]!;
        const attr = Object.keys(props).find((k) => rs.attributes[k]?.onChange === "replace");
        if (attr === undefined) {
          t.pass("the sample has no replace-mode attribute");
          return;
        }
        const desired = { ...props, [attr]: changedValue(props[attr]!) };
        const d = await provider.diff({ type, address, id: "x", priorProps: props, priorOutputs: {}, desiredProps: desired });
        t.same(d.changed, [attr]);
        t.same(d.replace, [attr]);
        const same = await provider.diff({ type, address, id: "x", priorProps: props, priorOutputs: {}, desiredProps: props });
        t.same(same, { changed: [], replace: [], unknownOutputs: [] }, "no change, nothing flagged");
        const unknown = await provider.diff({ type, address, id: "x", priorProps: props, priorOutputs: {}, desiredProps: { ...props, [attr]: { $unknown: true } } });
        t.same(unknown.replace, [attr], "an unknown value in a replace-mode attribute forces replacement");
      });

      await t.test(`${type}: discover lists the stack's objects by their owner labels, and nothing else`, async (t) => {
        const { provider, track } = await withProvider(t, makeProvider);
        if (provider.discover === undefined) {
          t.fail("a provider that creates objects implements discover (so that orphans of an interrupted apply are found)");
          return;
        }
        const labelled = (opts.discoverTypes ?? opts.types).includes(type);
        const stack = `conformance-${randomBytes(4).toString("hex")}`;
        const props = opts.sampleProps(type);
        const created = await provider.create({ type, address, props, owner: { stack, address } });
        track(type, address, created.id, props);
        const found = await provider.discover({ stack });
        const mine = found.filter((o) => o.id === created.id);
        if (labelled) {
          t.same(mine.map((o) => [o.type, o.address]), [[type, address]], "found once, with its type and address");
          t.type(mine[0]?.dependencies, Array, "with the addresses it uses");
        } else {
          t.same(mine, [], `${type} objects carry no owner labels: never listed`);
        }
        t.ok(found.every((o) => o.address !== "" && typeof o.id === "string"), "every object found has an address and an id");
        t.same(await provider.discover({ stack: `${stack}-other` }), [], "another stack's list is empty");
        await provider.delete({ type, address, id: created.id, props, outputs: created.outputs });
        t.same((await provider.discover({ stack })).filter((o) => o.id === created.id), [], "a deleted object is not listed");
      });

      await t.test(`${type}: failures are ProviderErrors with a category`, async (t) => {
        const { provider, track } = await withProvider(t, makeProvider);
        const props = opts.sampleProps(type);
        const e1 = await provider.read({ type, address, id: "infra-conformance-no-such-object", props, outputs: {} }).then(() => undefined, (e: unknown) => e);
        t.ok(isProviderError(e1) && FAILURE_CATEGORIES.includes(e1.category), "read of an unknown id");
        if (typeof props.name === "string" && type !== "image") {
          const c = await provider.create({ type, address, props, owner });
          track(type, address, c.id, props);
          const e2 = await provider.create({ type, address: `${address}2`, props, owner: { ...owner, address: `${address}2` } }).then(
            (r) => {
              track(type, `${address}2`, r.id, props);
              return undefined;
            },
            (e: unknown) => e,
          );
          t.ok(isProviderError(e2), "a second object with the same name is refused with a ProviderError");
          t.ok(isProviderError(e2) && (e2.category === "AlreadyExists" || e2.category === "Conflict"), "category AlreadyExists or Conflict");
        }
      });
    }
  }).then(() => undefined);
}
