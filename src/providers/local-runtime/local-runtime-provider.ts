/**
 * The local-runtime provider: containers, images and volumes on this host's engine (networks
 * through the engine's network routes). It talks to the engine over its socket, starting the
 * engine when needed; the engine owns all state.
 */
import type { Diagnostic } from "../../diag/diagnostic.js";
import type { ContainerSpec, VolumeSpec } from "../../graph/specs.js";
import type { Props, Value } from "../../graph/value.js";
import { existsSync } from "node:fs";
import { isProviderError, ProviderError, type ChangeNote, type CreateRequest, type DeleteRequest, type DiffRequest, type DiffResponse, type DiscoveredObject, type DiscoverRequest, type Provider, type ProviderSchema, type ReadRequest, type ResourceResult, type UpdateRequest, type ValidateRequest } from "../contract.js";
import { diffProps } from "../schema/diff-props.js";
import { RESOURCE_SCHEMAS } from "../schema/resource-schemas.js";
import type { ContainerRecord } from "./container/container-record.js";
import { engineWaitHost, waitForContainers } from "./container/wait-for.js";
import type { EngineClient } from "./engine/engine-client.js";
import { ensureEngine, type EnsureEngineOptions } from "./engine/ensure-engine.js";
import type { ImageRecord } from "./image/image-types.js";
import { buildImageResource, readBuiltImage } from "./build/image-resource.js";
import type { NetworkRecord } from "./network/network-types.js";
import type { VolumeRecord } from "./volume/volume-store.js";
import { ADDRESS_LABEL, discoverOwned, STACK_LABEL } from "./discover-owned.js";
import { resolveLayout } from "./layout.js";

const OWNER_KEYS = [STACK_LABEL, ADDRESS_LABEL];

function withOwner(labels: Value | undefined, owner: { stack: string; address: string }): Record<string, string> {
  return { ...((labels ?? {}) as Record<string, string>), [STACK_LABEL]: owner.stack, [ADDRESS_LABEL]: owner.address };
}

/** Labels as the user wrote them: the owner labels are the provider's, not the stack's. */
function userLabels(labels: Record<string, string> | undefined, hadLabels: boolean): Record<string, string> | undefined {
  const out = Object.fromEntries(Object.entries(labels ?? {}).filter(([k]) => !OWNER_KEYS.includes(k)));
  return Object.keys(out).length === 0 && !hadLabels ? undefined : out;
}

function clean(props: Record<string, unknown>): Props {
  return JSON.parse(JSON.stringify(props)) as Props;
}

function containerOutputs(r: ContainerRecord): Props {
  const ipAddresses: Record<string, string> = {};
  for (const e of r.network?.endpoints ?? []) ipAddresses[e.network] = e.ipv4Address;
  const hostPorts: Record<string, number> = {};
  for (const p of r.network?.ports ?? []) hostPorts[`${p.containerPort}/${p.protocol}`] = p.hostPort;
  return { id: r.id, ipAddress: r.network?.endpoints[0]?.ipv4Address ?? "", ipAddresses, hostPorts, imageId: r.imageId, status: r.state };
}

function networkOutputs(n: NetworkRecord): Props {
  return { id: n.id, name: n.name, subnet: n.subnet, gateway: n.gateway };
}

/**
 * A network's props as the engine has them, for drift: what the stack set is reported live;
 * what the engine chose itself (a subnet from the pool, the gateway) is not a difference.
 */
export function networkProps(n: NetworkRecord, props: Props): Props {
  const out: Record<string, unknown> = { ...props, name: n.name, driver: n.driver === "macvlan" ? "macvlan" : "bridge" };
  if (props.subnet !== undefined) out.subnet = n.subnet;
  if (props.gateway !== undefined) out.gateway = n.gateway;
  if (props.ipRange !== undefined || n.ipRange !== undefined) out.ipRange = n.ipRange;
  if (props.internal !== undefined || n.internal) out.internal = n.internal;
  const labels = userLabels(n.labels, props.labels !== undefined);
  if (labels === undefined) delete out.labels;
  else out.labels = labels;
  if (props.options !== undefined || Object.keys(n.options).length > 0) out.options = n.options;
  if (n.driver === "macvlan" && props.parent !== undefined) out.parent = props.vlan !== undefined ? props.parent : n.device;
  return clean(out);
}

/**
 * The image a create of this resource may pull, and under which policy: a container's image
 * given by name (one the stack builds or pulls is a reference, unknown until apply), or an image
 * resource that is not built. Pure.
 */
export function pullTarget(type: string, props: Props): { image: string; pull: "missing" | "always" | "never" } | undefined {
  if (type === "container") return typeof props.image === "string" && props.image !== "" ? { image: props.image, pull: "missing" } : undefined;
  if (type !== "image" || (props.build !== undefined && props.build !== null) || typeof props.name !== "string" || props.name === "") return undefined;
  const pull = props.pull === "always" || props.pull === "never" ? props.pull : "missing";
  return { image: props.name, pull };
}

export async function createLocalRuntimeProvider(opts: EnsureEngineOptions = {}): Promise<Provider> {
  // One start for all concurrent requests: parallel refreshes must not each spawn an engine.
  let client: Promise<EngineClient> | undefined;
  const engine = (): Promise<EngineClient> =>
    (client ??= ensureEngine(opts).catch((e: unknown) => {
      client = undefined;
      throw e;
    }));
  const notFoundOk = async (fn: () => Promise<unknown>) => {
    try {
      await fn();
    } catch (e) {
      if (!(isProviderError(e) && e.category === "NotFound")) throw e;
    }
  };

  const schema: ProviderSchema = {
    provider: "local-runtime",
    version: "0.1.0",
    resources: { container: RESOURCE_SCHEMAS.container, image: RESOURCE_SCHEMAS.image, volume: RESOURCE_SCHEMAS.volume, network: RESOURCE_SCHEMAS.network },
  };

  async function readContainer(id: string, props: Props): Promise<ResourceResult> {
    const c = await engine();
    const r = await c.call<ContainerRecord>("GET", `/containers/${encodeURIComponent(id)}`);
    const spec: Record<string, unknown> = { ...r.spec };
    const labels = userLabels(r.spec.labels, props.labels !== undefined);
    if (labels === undefined) delete spec.labels;
    else spec.labels = labels;
    if (props.waitFor !== undefined) spec.waitFor = props.waitFor; // not kept by the engine
    return { id: r.id, props: clean(spec), outputs: containerOutputs(r) };
  }

  const provider: Provider = {
    name: "local-runtime",
    schema: () => schema,

    validate(req: ValidateRequest): Diagnostic[] {
      const rs = schema.resources[req.type];
      const out: Diagnostic[] = [];
      if (!rs) return [{ code: "INFRA_RUNTIME_TYPE_UNSUPPORTED", severity: "error", summary: `local-runtime has no ${req.type} resources`, address: req.address }];
      for (const k of Object.keys(req.props)) {
        if (!(k in rs.attributes))
          out.push({ code: "INFRA_RUNTIME_UNKNOWN_ATTRIBUTE", severity: "error", summary: `unknown attribute '${k}' for a ${req.type}`, address: req.address, attribute: k, hint: `known: ${Object.keys(rs.attributes).join(", ")}` });
      }
      const required = req.type === "container" ? ["name", "image"] : ["name"];
      for (const k of required) if (req.props[k] === undefined)
        out.push({ code: "INFRA_RUNTIME_MISSING_ATTRIBUTE", severity: "error", summary: `a ${req.type} needs '${k}'`, address: req.address, attribute: k });
      return out;
    },

    diff(req: DiffRequest): DiffResponse {
      const rs = schema.resources[req.type]!;
      return diffProps(rs, req.priorProps, req.desiredProps);
    },

    async notes(req: ValidateRequest): Promise<ChangeNote[]> {
      const target = pullTarget(req.type, req.props);
      if (target === undefined) return [];
      const c = await engine();
      const r = await c.call<{ pull: boolean; name?: string }>("GET", `/images/${encodeURIComponent(target.image)}/pull-needed?pull=${target.pull}`);
      return r.pull && r.name !== undefined ? [{ code: "image_pull", image: r.name }] : [];
    },

    async create(req: CreateRequest): Promise<ResourceResult> {
      const c = await engine();
      switch (req.type) {
        case "container": {
          // waitFor is the provider's to honour (compose's depends_on conditions), not the engine's.
          const { waitFor, ...wanted } = req.props as unknown as ContainerSpec;
          const spec = { ...wanted, labels: withOwner(req.props.labels, req.owner) };
          const rec = await c.call<ContainerRecord>("POST", "/containers", spec);
          try {
            if (waitFor !== undefined && waitFor.length > 0) await waitForContainers(waitFor, engineWaitHost(c));
            await c.call("POST", `/containers/${rec.id}/start`);
          } catch (e) {
            await c.call("DELETE", `/containers/${rec.id}?force=1`).catch(() => undefined);
            throw e;
          }
          return readContainer(rec.id, req.props);
        }
        case "volume": {
          const name = String(req.props.name);
          const exists = await c.call<VolumeRecord>("GET", `/volumes/${encodeURIComponent(name)}`).then(() => true, () => false);
          if (exists) throw new ProviderError("AlreadyExists", "INFRA_RUNTIME_VOLUME_EXISTS", `volume '${name}' already exists`, { hint: "import it, or pick another name" });
          const spec: Partial<VolumeSpec> = { ...(req.props as unknown as VolumeSpec), labels: withOwner(req.props.labels, req.owner) };
          const v = await c.call<VolumeRecord>("POST", "/volumes", spec);
          return { id: v.name, props: req.props, outputs: { id: v.name, name: v.name, mountpoint: v.mountpoint } };
        }
        case "image": {
          if (req.props.build !== undefined && req.props.build !== null) return buildImageResource(opts, req.props);
          // Pulled by the engine as its policy says (missing by default); compose's pull_policy comes here.
          const img = await c.call<ImageRecord>("POST", "/images/pull", { name: String(req.props.name), pull: req.props.pull ?? "missing" });
          return { id: img.id, props: req.props, outputs: { id: img.id, digest: img.digest, name: String(req.props.name) } };
        }
        case "network": {
          const n = await c.call<NetworkRecord>("POST", "/networks", { ...req.props, labels: withOwner(req.props.labels, req.owner) });
          return { id: n.name, props: networkProps(n, req.props), outputs: networkOutputs(n) };
        }
      }
    },

    async read(req: ReadRequest): Promise<ResourceResult> {
      const c = await engine();
      switch (req.type) {
        case "container":
          return readContainer(req.id, req.props);
        case "volume": {
          const v = await c.call<VolumeRecord>("GET", `/volumes/${encodeURIComponent(req.id)}`);
          const props: Record<string, unknown> = { ...req.props, name: v.name, driver: v.driver };
          const labels = userLabels(v.labels, req.props.labels !== undefined);
          if (labels === undefined) delete props.labels;
          else props.labels = labels;
          if (Object.keys(v.options).length > 0 || req.props.driverOpts !== undefined) props.driverOpts = v.options;
          return { id: v.name, props: clean(props), outputs: { id: v.name, name: v.name, mountpoint: v.mountpoint } };
        }
        case "image": {
          if (req.props.build !== undefined && req.props.build !== null) return readBuiltImage(c, req.id, req.props);
          const img = await c.call<ImageRecord>("GET", `/images/${encodeURIComponent(req.id)}`);
          return { id: img.id, props: req.props, outputs: { id: img.id, digest: img.digest, name: String(req.props.name ?? img.names[0] ?? "") } };
        }
        case "network": {
          const n = await c.call<NetworkRecord>("GET", `/networks/${encodeURIComponent(req.id)}`);
          return { id: n.name, props: networkProps(n, req.props), outputs: networkOutputs(n) };
        }
      }
    },

    async discover(req: DiscoverRequest): Promise<DiscoveredObject[]> {
      // An engine that never ran on this host has made nothing: no need to start one to find out.
      if (!existsSync(resolveLayout(opts).root)) return [];
      const c = await engine();
      const [containers, volumes] = await Promise.all([c.call<ContainerRecord[]>("GET", "/containers?all=1"), c.call<VolumeRecord[]>("GET", "/volumes")]);
      // Without networking the engine has no networks to own (and refuses the route).
      const networks = await c.call<NetworkRecord[]>("GET", "/networks").catch((e: unknown) => {
        if (isProviderError(e) && e.category === "Unavailable" && e.code.endsWith("NETWORK_UNAVAILABLE")) return [];
        throw e;
      });
      return discoverOwned(req.stack, { containers, networks, volumes });
    },

    async update(req: UpdateRequest): Promise<ResourceResult> {
      const c = await engine();
      if (req.type === "container") {
        const body: Record<string, unknown> = {};
        if (req.changed.includes("resources")) body.resources = req.props.resources ?? {};
        if (req.changed.includes("restart")) body.restart = req.props.restart ?? { policy: "no" };
        if (req.changed.includes("labels")) body.labels = withOwner(req.props.labels, req.owner);
        // The engine connects and disconnects on the live container, no restart.
        if (req.changed.includes("networks")) body.networks = req.props.networks ?? [];
        await c.call("POST", `/containers/${encodeURIComponent(req.id)}/update`, body);
        return readContainer(req.id, req.props);
      }
      // Images: pull and keepLocally only change what later operations do.
      const r = await provider.read({ type: req.type, address: req.address, id: req.id, props: req.props, outputs: req.priorOutputs });
      return { ...r, props: req.props };
    },

    async delete(req: DeleteRequest): Promise<void> {
      const c = await engine();
      const id = encodeURIComponent(req.id);
      switch (req.type) {
        case "container":
          return notFoundOk(() => c.call("DELETE", `/containers/${id}?force=1&volumes=1`));
        case "volume":
          return notFoundOk(() => c.call("DELETE", `/volumes/${id}`));
        case "image": {
          if (req.props.keepLocally === true) return;
          const name = encodeURIComponent(String(req.props.name ?? req.id));
          // A replacement (create before delete) may have moved the name to the new image: keep that.
          const now = await c.call<ImageRecord>("GET", `/images/${name}`).catch(() => undefined);
          if (now !== undefined && now.id !== req.id && req.props.name !== undefined) return;
          return notFoundOk(() => c.call("DELETE", `/images/${name}`));
        }
        case "network":
          return notFoundOk(() => c.call("DELETE", `/networks/${id}`));
      }
    },
  };
  return provider;
}
