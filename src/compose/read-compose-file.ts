/**
 * Reads the plain data of one compose file (already interpolated) into a draft: its services and
 * its top-level networks, volumes, secrets and configs, in long form. Names of networks and
 * volumes stay as written; the project name is applied when the drafts are finished.
 */
import type { ComposeFileObject, ComposeIpamConfig, ComposeNetwork, ComposeVolume } from "./compose-model.js";
import { isMapping, type Raw, type ReadContext } from "./read-context.js";
import { readService, type ServiceDraft } from "./read-service.js";

export type NetworkDraft = Partial<ComposeNetwork>;
export type VolumeDraft = Partial<ComposeVolume>;
export type FileObjectDraft = Partial<ComposeFileObject>;

export interface FileDraft {
  name?: string;
  services: Record<string, ServiceDraft>;
  networks: Record<string, NetworkDraft>;
  volumes: Record<string, VolumeDraft>;
  secrets: Record<string, FileObjectDraft>;
  configs: Record<string, FileObjectDraft>;
}

const TOP = new Set(["version", "name", "services", "networks", "volumes", "secrets", "configs"]);

export function readComposeFile(ctx: ReadContext, data: unknown): FileDraft {
  const draft: FileDraft = { services: {}, networks: {}, volumes: {}, secrets: {}, configs: {} };
  if (data === null || data === undefined) return draft;
  if (!isMapping(data)) {
    ctx.schema("(top level)", data, undefined, "a compose file must be a mapping", data);
    return draft;
  }
  ctx.checkKeys(data, "(top level)", TOP, new Set(["include", "models"]));
  if (data.version !== undefined) {
    const v = String(data.version);
    if (!/^[23](\.\d+)?$/.test(v)) ctx.schema("version", data, "version", `version "${v}" is not supported (2.x, 3.x, or none for the Compose Specification)`, data.version);
  }
  const name = ctx.str(data, "name", "name");
  if (name) draft.name = name;
  const services = ctx.mapping(data, "services", "services");
  for (const [svc, node] of Object.entries(services ?? {})) {
    if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(svc)) ctx.schema(`services.${svc}`, services, svc, "a service name may hold only letters, digits, _ . and -", svc);
    draft.services[svc] = readService(ctx, svc, node, services as Raw);
  }
  for (const [key, node] of Object.entries(ctx.mapping(data, "networks", "networks") ?? {})) {
    draft.networks[key] = readNetwork(ctx, key, node, data.networks as Raw);
  }
  for (const [key, node] of Object.entries(ctx.mapping(data, "volumes", "volumes") ?? {})) {
    draft.volumes[key] = readVolume(ctx, key, node, data.volumes as Raw);
  }
  for (const kind of ["secrets", "configs"] as const) {
    for (const [key, node] of Object.entries(ctx.mapping(data, kind, kind) ?? {})) {
      draft[kind][key] = readFileObject(ctx, kind, key, node, data[kind] as Raw);
    }
  }
  return draft;
}

/** `external: true`, or the legacy `external: { name: x }`. */
function readExternal(ctx: ReadContext, node: Raw, path: string, out: { external?: boolean; name?: string }): void {
  const e = node.external;
  if (e === undefined || e === null) return;
  if (isMapping(e)) {
    out.external = true;
    if (typeof e.name === "string") out.name = e.name;
  } else {
    const b = ctx.bool(node, "external", `${path}.external`);
    if (b !== undefined) out.external = b;
  }
}

function readNetwork(ctx: ReadContext, key: string, node: unknown, parent: Raw): NetworkDraft {
  const path = `networks.${key}`;
  ctx.record(path, parent, key);
  const n: NetworkDraft = {};
  if (node === null || node === undefined) return n;
  if (!isMapping(node)) {
    ctx.schema(path, parent, key, "must be a mapping", node);
    return n;
  }
  ctx.checkKeys(node, path, new Set(["name", "driver", "driver_opts", "ipam", "internal", "external", "attachable", "enable_ipv6", "labels"]), new Set(["enable_ipv4"]));
  const name = ctx.str(node, "name", `${path}.name`);
  if (name) n.name = name;
  readExternal(ctx, node, path, n);
  const driver = ctx.str(node, "driver", `${path}.driver`);
  if (driver) {
    n.driver = driver;
    if (!["bridge", "macvlan"].includes(driver)) ctx.schema(`${path}.driver`, node, "driver", `driver "${driver}" is not supported`, driver, "Use bridge (the default) or macvlan.");
  }
  const opts = ctx.strMap(node, "driver_opts", `${path}.driver_opts`);
  if (opts) n.driver_opts = opts;
  const ipam = ctx.mapping(node, "ipam", `${path}.ipam`);
  if (ipam) {
    ctx.checkKeys(ipam, `${path}.ipam`, new Set(["driver", "config"]), new Set(["options"]));
    n.ipam = {};
    const d = ctx.str(ipam, "driver", `${path}.ipam.driver`);
    if (d) n.ipam.driver = d;
    if (Array.isArray(ipam.config)) {
      n.ipam.config = ipam.config.flatMap((c, i): ComposeIpamConfig[] => {
        const cp = `${path}.ipam.config[${i}]`;
        if (!isMapping(c)) {
          ctx.schema(cp, ipam.config, i, "must be a mapping", c);
          return [];
        }
        ctx.checkKeys(c, cp, new Set(["subnet", "gateway", "ip_range", "aux_addresses"]));
        const out: ComposeIpamConfig = {};
        for (const k of ["subnet", "gateway", "ip_range"] as const) {
          const v = ctx.str(c, k, `${cp}.${k}`);
          if (v) out[k] = v;
        }
        const aux = ctx.strMap(c, "aux_addresses", `${cp}.aux_addresses`);
        if (aux) {
          out.aux_addresses = aux;
          ctx.unsupported(`${cp}.aux_addresses`, c, "aux_addresses");
        }
        return [out];
      });
      if (n.ipam.config.length > 1) ctx.unsupported(`${path}.ipam.config[1]`, ipam.config, 1, "only the first IPAM config is used");
    } else if (ipam.config !== undefined) ctx.schema(`${path}.ipam.config`, ipam, "config", "must be a list", ipam.config);
  }
  for (const k of ["internal", "attachable", "enable_ipv6"] as const) {
    const b = ctx.bool(node, k, `${path}.${k}`);
    if (b !== undefined) n[k] = b;
  }
  if (n.enable_ipv6) ctx.unsupported(`${path}.enable_ipv6`, node, "enable_ipv6", "IPv6 networks are not supported yet; ignored");
  const labels = ctx.strMap(node, "labels", `${path}.labels`);
  if (labels) n.labels = labels;
  return n;
}

function readVolume(ctx: ReadContext, key: string, node: unknown, parent: Raw): VolumeDraft {
  const path = `volumes.${key}`;
  ctx.record(path, parent, key);
  const v: VolumeDraft = {};
  if (node === null || node === undefined) return v;
  if (!isMapping(node)) {
    ctx.schema(path, parent, key, "must be a mapping", node);
    return v;
  }
  ctx.checkKeys(node, path, new Set(["name", "driver", "driver_opts", "external", "labels"]));
  const name = ctx.str(node, "name", `${path}.name`);
  if (name) v.name = name;
  readExternal(ctx, node, path, v);
  const driver = ctx.str(node, "driver", `${path}.driver`);
  if (driver) {
    v.driver = driver;
    if (driver !== "local") ctx.schema(`${path}.driver`, node, "driver", `volume driver "${driver}" is not supported`, driver, "Use the local driver.");
  }
  const opts = ctx.strMap(node, "driver_opts", `${path}.driver_opts`);
  if (opts) v.driver_opts = opts;
  const labels = ctx.strMap(node, "labels", `${path}.labels`);
  if (labels) v.labels = labels;
  return v;
}

function readFileObject(ctx: ReadContext, kind: "secrets" | "configs", key: string, node: unknown, parent: Raw): FileObjectDraft {
  const path = `${kind}.${key}`;
  ctx.record(path, parent, key);
  const o: FileObjectDraft = {};
  if (!isMapping(node)) {
    ctx.schema(path, parent, key, "must be a mapping with file, environment or external", node);
    return o;
  }
  ctx.checkKeys(node, path, new Set(["name", "file", "environment", "external", ...(kind === "configs" ? ["content"] : [])]), new Set(["labels", "driver", "driver_opts", "template_driver"]));
  const name = ctx.str(node, "name", `${path}.name`);
  if (name) o.name = name;
  readExternal(ctx, node, path, o);
  const file = ctx.str(node, "file", `${path}.file`);
  if (file) o.file = ctx.path(file);
  const env = ctx.str(node, "environment", `${path}.environment`);
  if (env) o.environment = env;
  const content = ctx.str(node, "content", `${path}.content`);
  if (content !== undefined) o.content = content;
  if (o.external) ctx.unsupported(`${path}.external`, node, "external", `external ${kind} need a swarm; not supported`);
  else if (!o.file && !o.environment && o.content === undefined) ctx.schema(path, parent, key, "needs file, environment or content", node);
  return o;
}
