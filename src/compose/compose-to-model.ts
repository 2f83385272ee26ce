/**
 * Compose semantics, as a pure mapping from the normalised project to a stack model: a network
 * per used compose network (`<project>_default` by default), a volume per named volume, an image
 * per build, and containers `<project>-<service>-<n>` for n = 1..replicas, aliased by their
 * service name on every network they join.
 */
import { warningDiag, type Diagnostic } from "../diag/diagnostic.js";
import type { ComposeProject, ComposeService } from "./compose-model.js";
import type { ModelRef, ModelResource, ModelValue, StackModel } from "./stack-model.js";
import { serviceDependencies } from "./validate-project.js";

const ref = (key: string): ModelRef => ({ $resource: key });

function varName(kind: string, id: string, taken: Set<string>): string {
  const words = id.split(/[^a-zA-Z0-9]+/).filter(Boolean);
  let base = words.map((w, i) => (i === 0 ? w.charAt(0).toLowerCase() + w.slice(1) : w.charAt(0).toUpperCase() + w.slice(1))).join("") || kind.toLowerCase();
  if (/^\d/.test(base) || RESERVED.has(base)) base = `${kind.toLowerCase()}${base.charAt(0).toUpperCase()}${base.slice(1)}`;
  let name = base;
  for (let i = 2; taken.has(name); i++) name = `${base}${i}`;
  taken.add(name);
  return name;
}

const RESERVED = new Set(["default", "new", "class", "function", "var", "let", "const", "import", "export", "stack", "delete", "in", "do", "if", "for", "with", "case", "switch", "this", "void", "null", "true", "false", "return", "try", "catch", "enum", "super", "yield", "await", "typeof", "instanceof", "Container", "Network", "Volume", "Image", "defineStack"]);

/** Services in an order where each comes after the services it refers to (cycles were refused earlier). */
function serviceOrder(p: ComposeProject): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  const visit = (n: string): void => {
    if (seen.has(n)) return;
    seen.add(n);
    for (const d of serviceDependencies(p, n)) visit(d);
    out.push(n);
  };
  for (const n of Object.keys(p.services)) visit(n);
  return out;
}

export function composeToModel(p: ComposeProject): { model: StackModel; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const warn = (path: string, summary: string): void => {
    diagnostics.push(warningDiag("INFRA_COMPOSE_UNSUPPORTED", `${path}: ${summary}`, { attribute: path, hint: "Convert to TypeScript (infra import compose) to adapt it by hand." }));
  };
  const taken = new Set<string>();
  const resources: ModelResource[] = [];
  const add = (r: Omit<ModelResource, "varName">, hint = r.id): ModelResource => {
    const full = { ...r, varName: varName(r.kind, hint, taken) } as ModelResource;
    resources.push(full);
    return full;
  };
  const used = new Set(Object.values(p.services).flatMap((s) => Object.keys(s.networks ?? {})));

  const networkRef: Record<string, ModelValue> = {};
  for (const [key, n] of Object.entries(p.networks)) {
    if (n.external) {
      networkRef[key] = n.name;
      continue;
    }
    if (!used.has(key) && key === "default") continue;
    const props: ModelResource["props"] = {};
    if (n.name !== `${p.name}_${key}`) props.name = n.name;
    if (n.driver === "macvlan") props.driver = "macvlan";
    const ipam = n.ipam?.config?.[0];
    if (ipam?.subnet) props.subnet = ipam.subnet;
    if (ipam?.gateway) props.gateway = ipam.gateway;
    if (ipam?.ip_range) props.ipRange = ipam.ip_range;
    if (n.internal) props.internal = true;
    if (n.labels && Object.keys(n.labels).length > 0) props.labels = n.labels;
    const opts = { ...n.driver_opts };
    if (n.driver === "macvlan" && opts.parent) {
      props.parent = opts.parent;
      delete opts.parent;
    }
    if (Object.keys(opts).length > 0) props.options = opts;
    const r = add({ key: `Network:${key}`, kind: "Network", id: key, props, origin: `networks.${key}` }, `${key}-network`);
    networkRef[key] = ref(r.key);
  }

  const volumeRef: Record<string, ModelValue> = {};
  for (const [key, v] of Object.entries(p.volumes)) {
    if (v.external) {
      volumeRef[key] = v.name;
      continue;
    }
    const props: ModelResource["props"] = {};
    if (v.name !== `${p.name}_${key}`) props.name = v.name;
    if (v.labels && Object.keys(v.labels).length > 0) props.labels = v.labels;
    if (v.driver_opts && Object.keys(v.driver_opts).length > 0) props.driverOpts = v.driver_opts;
    const r = add({ key: `Volume:${key}`, kind: "Volume", id: key, props, origin: `volumes.${key}` }, `${key}-volume`);
    volumeRef[key] = ref(r.key);
  }

  const firstContainer: Record<string, string> = {};
  const allContainers: Record<string, string[]> = {};
  for (const name of serviceOrder(p)) {
    const s = p.services[name] as ComposeService;
    let image: ModelValue = s.image ?? "";
    const pull = s.pull_policy === "if_not_present" ? "missing" : s.pull_policy;
    if (s.build) {
      const props: ModelResource["props"] = { build: buildProps(s) };
      if (s.image) props.name = s.image;
      if (pull === "always" || pull === "never") props.pull = pull;
      image = ref(add({ key: `Image:${name}`, kind: "Image", id: name, props, origin: `services.${name}.build` }, `${name}-image`).key);
    } else if (pull === "always" || pull === "never") {
      image = ref(add({ key: `Image:${name}`, kind: "Image", id: name, props: { name: s.image, pull }, origin: `services.${name}.pull_policy` }, `${name}-image`).key);
    }
    // depends_on becomes waitFor (a reference, so an edge too); the other references stay explicit.
    const deps = serviceDependencies(p, name)
      .filter((d) => firstContainer[d] !== undefined && s.depends_on[d] === undefined)
      .sort()
      .map((d) => ref(firstContainer[d] as string));
    for (let n = 1; n <= s.replicas; n++) {
      const id = `${name}-${n}`;
      const props = containerProps(p, s, n, image, networkRef, volumeRef, firstContainer, warn);
      const wait = waitFor(s, allContainers, warn);
      if (wait.length > 0) props.waitFor = wait;
      const r = add({ key: `Container:${id}`, kind: "Container", id, props, origin: `services.${name}`, ...(deps.length > 0 ? { dependsOn: deps } : {}) }, s.replicas === 1 ? name : id);
      if (n === 1) firstContainer[name] = r.key;
      (allContainers[name] ??= []).push(r.key);
    }
  }
  return { model: { project: p.name, resources }, diagnostics };
}

const CONDITION = { service_started: "started", service_healthy: "healthy", service_completed_successfully: "completed_successfully" } as const;

/** depends_on as waitFor: every replica of each dependency, with compose's condition. */
function waitFor(s: ComposeService, allContainers: Record<string, string[]>, warn: (path: string, summary: string) => void): ModelValue[] {
  const out: ModelValue[] = [];
  for (const [dep, d] of Object.entries(s.depends_on).sort(([a], [b]) => a.localeCompare(b))) {
    if (d.restart === true) warn(`services.${s.name}.depends_on.${dep}.restart`, `restarting ${s.name} when ${dep} is updated is not supported; ignored`);
    for (const key of allContainers[dep] ?? []) out.push({ container: ref(key), condition: CONDITION[d.condition] });
  }
  return out;
}

function buildProps(s: ComposeService): ModelValue {
  const b = s.build;
  if (!b) return null;
  const out: Record<string, ModelValue> = { context: b.context };
  if (b.dockerfile !== "Dockerfile") out.dockerfile = b.dockerfile;
  if (b.args && Object.keys(b.args).length > 0) out.args = b.args;
  if (b.target) out.target = b.target;
  return Object.keys(out).length === 1 ? b.context : out;
}

function containerProps(
  p: ComposeProject,
  s: ComposeService,
  n: number,
  image: ModelValue,
  networkRef: Record<string, ModelValue>,
  volumeRef: Record<string, ModelValue>,
  firstContainer: Record<string, string>,
  warn: (path: string, summary: string) => void,
): ModelResource["props"] {
  const at = `services.${s.name}`;
  const o: ModelResource["props"] = { image };
  // Without container_name the DSL's default name, `<stack>-<id>`, is compose's `<project>-<service>-<n>`.
  if (s.container_name) o.name = s.container_name;
  if (s.command) o.command = s.command;
  if (s.entrypoint) o.entrypoint = s.entrypoint;
  if (Object.keys(s.environment).length > 0) o.env = s.environment;
  if (s.working_dir) o.workingDir = s.working_dir;
  if (s.user) o.user = s.user;
  if (s.hostname) o.hostname = s.hostname;
  if (s.domainname) o.domainname = s.domainname;
  if (s.tty !== undefined) o.tty = s.tty;
  if (s.stdin_open !== undefined) o.stdinOpen = s.stdin_open;
  const labels: Record<string, string> = { ...s.labels };
  if (Object.keys(labels).length > 0) o.labels = labels;
  if (s.ports.length > 0) {
    if (s.replicas > 1 && s.ports.some((x) => x.published !== undefined)) warn(`${at}.ports`, `a fixed host port cannot be published by ${s.replicas} replicas; only the first publishes it`);
    const ports = s.ports.filter((x) => n === 1 || x.published === undefined);
    if (ports.length > 0) {
      o.ports = ports.map((x) => {
        const po: Record<string, ModelValue> = { containerPort: x.target };
        if (x.published !== undefined) po.hostPort = x.published;
        if (x.count !== undefined && x.count > 1) po.count = x.count;
        if (x.host_ip) po.hostIp = x.host_ip;
        if (x.protocol !== "tcp") po.protocol = x.protocol;
        return po;
      });
    }
  }
  if (s.network_mode) {
    const m = s.network_mode;
    if (m.startsWith("service:")) o.networkMode = { container: ref(firstContainer[m.slice(8)] ?? "") };
    else o.networkMode = m;
  } else if (s.networks) {
    const entries = Object.entries(s.networks).sort(([a, x], [b, y]) => (y.priority ?? 0) - (x.priority ?? 0) || a.localeCompare(b));
    o.networks = entries.map(([key, att], i) => {
      const a: Record<string, ModelValue> = { network: networkRef[key] ?? key, aliases: [s.name, ...(att.aliases ?? []).filter((x) => x !== s.name)] };
      if (att.ipv4_address) a.ipv4Address = att.ipv4_address;
      const mac = att.mac_address ?? (i === 0 ? s.mac_address : undefined);
      if (mac) a.macAddress = mac;
      return a;
    });
    if (s.replicas > 1 && entries.some(([, a]) => a.ipv4_address)) warn(`${at}.networks`, "a fixed ipv4_address cannot be shared by several replicas");
  }
  if (s.links && s.links.length > 0) o.links = s.links.map((l) => ({ container: ref(firstContainer[l.service] ?? ""), alias: l.alias }));
  const mounts: ModelValue[] = [];
  for (const v of s.volumes) {
    if (v.type === "bind") {
      const m: Record<string, ModelValue> = { bind: v.source ?? "", target: v.target };
      if (v.read_only) m.readOnly = true;
      if (!v.bind?.create_host_path) m.createHostPath = false;
      mounts.push(m);
    } else if (v.type === "volume") {
      if (v.source === undefined) mounts.push(v.read_only ? `${v.target}` : v.target);
      else {
        const m: Record<string, ModelValue> = { volume: volumeRef[v.source] ?? v.source, target: v.target };
        if (v.read_only) m.readOnly = true;
        if (v.volume?.nocopy) m.noCopy = true;
        mounts.push(m);
      }
    } else {
      const m: Record<string, ModelValue> = { tmpfs: v.target };
      if (v.tmpfs?.size_bytes !== undefined) m.size = v.tmpfs.size_bytes;
      if (v.tmpfs?.mode !== undefined) m.mode = v.tmpfs.mode;
      mounts.push(m);
    }
  }
  // Secrets and configs are files of the host, bound read-only where compose mounts them.
  for (const kind of ["secrets", "configs"] as const) {
    for (const r of s[kind] ?? []) {
      const obj = p[kind][r.source];
      if (!obj?.file) {
        warn(`${at}.${kind}`, `${kind.slice(0, -1)} "${r.source}" is not backed by a file; only file sources are supported`);
        continue;
      }
      mounts.push({ bind: obj.file, target: r.target, readOnly: true, createHostPath: false });
    }
  }
  if (mounts.length > 0) o.volumes = mounts;
  if (s.tmpfs && s.tmpfs.length > 0) o.tmpfs = s.tmpfs;
  if (s.volumes_from && s.volumes_from.length > 0) {
    o.volumesFrom = s.volumes_from.map((v) => {
      const c: ModelValue = v.service !== undefined ? ref(firstContainer[v.service] ?? "") : (v.container ?? "");
      return v.read_only ? { container: c, readOnly: true } : c;
    });
  }
  if (s.restart) o.restart = s.restart.max_retries !== undefined ? { policy: s.restart.policy, maxRetries: s.restart.max_retries } : s.restart.policy;
  const h = s.healthcheck;
  if (h?.disable) o.healthcheck = "none";
  else if (h?.test) {
    const hc: Record<string, ModelValue> = { test: h.test[0] === "CMD-SHELL" && h.test.length === 2 ? (h.test[1] as string) : h.test };
    if (h.interval_ms !== undefined) hc.interval = `${h.interval_ms}ms`;
    if (h.timeout_ms !== undefined) hc.timeout = `${h.timeout_ms}ms`;
    if (h.start_period_ms !== undefined) hc.startPeriod = `${h.start_period_ms}ms`;
    if (h.retries !== undefined) hc.retries = h.retries;
    if (h.start_interval_ms !== undefined) warn(`${at}.healthcheck.start_interval`, "start_interval is not supported; ignored");
    o.healthcheck = hc;
  } else if (h) warn(`${at}.healthcheck`, "a healthcheck without test (overriding the image's) is not supported; ignored");
  const r = s.resources;
  if (r) {
    const res: Record<string, ModelValue> = {};
    if (r.memory_bytes !== undefined) res.memory = r.memory_bytes;
    if (r.memory_swap_bytes !== undefined) res.memorySwap = r.memory_swap_bytes;
    if (r.cpus !== undefined) res.cpus = r.cpus;
    if (r.cpu_shares !== undefined) res.cpuShares = r.cpu_shares;
    if (r.cpuset !== undefined) res.cpusetCpus = r.cpuset;
    if (r.pids_limit !== undefined) res.pidsLimit = r.pids_limit;
    if (r.blkio_weight !== undefined) res.blkioWeight = r.blkio_weight;
    if (r.shm_size_bytes !== undefined) res.shmSize = r.shm_size_bytes;
    if (r.memory_reservation_bytes !== undefined) warn(`${at}.mem_reservation`, "memory reservations are not supported; ignored");
    if (Object.keys(res).length > 0) o.resources = res;
  }
  if (s.cap_add) o.capAdd = s.cap_add;
  if (s.cap_drop) o.capDrop = s.cap_drop;
  if (s.privileged !== undefined) o.privileged = s.privileged;
  if (s.read_only !== undefined) o.readOnlyRootfs = s.read_only;
  if (s.security_opt?.some((x) => /^no-new-privileges(:true|=true)?$/.test(x))) o.noNewPrivileges = true;
  if (s.init !== undefined) o.init = s.init;
  if (s.stop_signal) o.stopSignal = s.stop_signal;
  if (s.stop_grace_period_ms !== undefined) o.stopTimeout = Math.ceil(s.stop_grace_period_ms / 1000);
  if (s.ulimits) o.ulimits = s.ulimits;
  if (s.sysctls) o.sysctls = s.sysctls;
  if (s.extra_hosts) o.extraHosts = s.extra_hosts.map((e) => `${e.host}:${e.ip}`);
  if (s.dns) o.dns = s.dns;
  if (s.dns_search) o.dnsSearch = s.dns_search;
  if (s.dns_opt) o.dnsOptions = s.dns_opt;
  if (s.devices) o.devices = s.devices.map((d) => ({ hostPath: d.source, containerPath: d.target, permissions: d.permissions }));
  const lo = s.logging?.options;
  if (lo && (lo["max-size"] !== undefined || lo["max-file"] !== undefined)) {
    const l: Record<string, ModelValue> = {};
    if (lo["max-size"] !== undefined) l.maxSize = lo["max-size"];
    if (lo["max-file"] !== undefined) l.maxFiles = Number(lo["max-file"]);
    o.logging = l;
  }
  return o;
}
