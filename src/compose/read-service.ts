/**
 * Reads one service of one compose file into a draft: the typed long form of every key the file
 * sets, nothing defaulted yet (override files hold fragments). Drafts are merged, then finished.
 */
import type { ComposeDependsOn, ComposeService, ComposeServiceNetwork, DependsOnCondition } from "./compose-model.js";
import { isMapping, type Raw, type ReadContext } from "./read-context.js";
import { readDevices, readExtraHosts, readFileRefs, readPorts, readServiceVolumes, readVolumesFrom } from "./service-syntax.js";
import { parseDurationMs, parseSizeBytes, shellSplit } from "./units.js";

export type ServiceDraft = Partial<Omit<ComposeService, "environment" | "replicas" | "depends_on" | "ports" | "volumes">> & {
  environment?: Record<string, string>;
  depends_on?: Record<string, ComposeDependsOn>;
  ports?: ComposeService["ports"];
  volumes?: ComposeService["volumes"];
  replicas?: number;
  extends?: { service: string; file?: string };
};

const SUPPORTED = new Set([
  "image", "build", "pull_policy", "container_name", "command", "entrypoint", "environment", "env_file", "ports", "expose",
  "volumes", "volumes_from", "tmpfs", "networks", "network_mode", "links", "external_links", "depends_on", "restart",
  "healthcheck", "tty", "stdin_open", "user", "working_dir", "hostname", "domainname", "mac_address", "labels", "cap_add",
  "cap_drop", "privileged", "read_only", "init", "stop_signal", "stop_grace_period", "ulimits", "sysctls", "extra_hosts",
  "dns", "dns_search", "dns_opt", "devices", "logging", "mem_limit", "mem_reservation", "memswap_limit", "cpus", "cpu_shares",
  "cpuset", "pids_limit", "shm_size", "blkio_config", "deploy", "scale", "secrets", "configs", "security_opt", "profiles",
  "extends", "platform",
]);
/** Keys of the Compose Specification that infra reads but does not carry out yet: a warning each. */
const UNSUPPORTED = new Set([
  "annotations", "attach", "cgroup", "cgroup_parent", "cpu_count", "cpu_percent", "cpu_period", "cpu_quota", "cpu_rt_period",
  "cpu_rt_runtime", "credential_spec", "develop", "device_cgroup_rules", "gpus", "group_add", "ipc", "isolation",
  "label_file", "mem_swappiness", "models", "oom_kill_disable", "oom_score_adj", "pid", "post_start", "pre_stop",
  "provider", "runtime", "storage_opt", "use_api_socket", "userns_mode", "uts", "volume_driver", "cpu_rt_period",
  "driver_opts",
]);
const CONDITIONS: DependsOnCondition[] = ["service_started", "service_healthy", "service_completed_successfully"];

function command(ctx: ReadContext, node: Raw, key: "command" | "entrypoint", path: string): string[] | undefined {
  const v = node[key];
  if (v === null || v === undefined) return undefined;
  if (typeof v === "string") {
    const words = shellSplit(v);
    if (!words) ctx.schema(path, node, key, "has an unterminated quote", v);
    return words;
  }
  return ctx.strList(node, key, path, false);
}

export function readService(ctx: ReadContext, name: string, node: unknown, parent: Raw): ServiceDraft {
  const path = `services.${name}`;
  ctx.record(path, parent, name);
  const s: ServiceDraft = {};
  if (node === null || node === undefined) return s;
  if (!isMapping(node)) {
    ctx.schema(path, parent, name, "must be a mapping", node);
    return s;
  }
  ctx.checkKeys(node, path, SUPPORTED, UNSUPPORTED);
  for (const k of Object.keys(node)) ctx.record(`${path}.${k}`, node, k);
  const p = (k: string): string => `${path}.${k}`;
  const set = <K extends keyof ServiceDraft>(k: K, v: ServiceDraft[K] | undefined): void => {
    if (v !== undefined) s[k] = v;
  };

  set("image", ctx.str(node, "image", p("image")));
  if (node.build !== undefined && node.build !== null) {
    if (typeof node.build === "string") s.build = { context: ctx.path(node.build), dockerfile: "Dockerfile" };
    else if (isMapping(node.build)) {
      const b = node.build;
      ctx.checkKeys(b, p("build"), new Set(["context", "dockerfile", "args", "target", "labels"]), new Set([
        "additional_contexts", "cache_from", "cache_to", "dockerfile_inline", "entitlements", "extra_hosts", "isolation",
        "network", "no_cache", "platforms", "privileged", "pull", "secrets", "shm_size", "ssh", "tags", "ulimits",
      ]));
      s.build = { context: ctx.path(ctx.str(b, "context", p("build.context")) ?? "."), dockerfile: ctx.str(b, "dockerfile", p("build.dockerfile")) ?? "Dockerfile" };
      const args = ctx.strMap(b, "args", p("build.args"), (k) => ctx.env[k]);
      if (args) s.build.args = args;
      const target = ctx.str(b, "target", p("build.target"));
      if (target) s.build.target = target;
      const labels = ctx.strMap(b, "labels", p("build.labels"));
      if (labels) s.build.labels = labels;
    } else ctx.schema(p("build"), node, "build", "must be a path or a mapping", node.build);
  }
  const pull = ctx.str(node, "pull_policy", p("pull_policy"));
  if (pull !== undefined) {
    if (["always", "never", "missing", "build", "if_not_present"].includes(pull)) s.pull_policy = pull as ServiceDraft["pull_policy"];
    else ctx.schema(p("pull_policy"), node, "pull_policy", "must be always, never, missing or build", pull);
  }
  set("container_name", ctx.str(node, "container_name", p("container_name")));
  set("command", command(ctx, node, "command", p("command")));
  set("entrypoint", command(ctx, node, "entrypoint", p("entrypoint")));
  // A variable listed without a value comes from the shell; unset, it is left out (as compose does).
  set("environment", ctx.strMap(node, "environment", p("environment"), (k) => ctx.env[k]));
  const envFiles = node.env_file;
  if (envFiles !== undefined && envFiles !== null) {
    const list = Array.isArray(envFiles) ? envFiles : [envFiles];
    s.env_file = [];
    list.forEach((f, i) => {
      const file = isMapping(f) ? f.path : f;
      if (typeof file !== "string") return ctx.schema(`${p("env_file")}[${i}]`, envFiles, i, "must be a path", f);
      if (isMapping(f) && f.required === false) ctx.unsupported(`${p("env_file")}[${i}].required`, f, "required", "required: false is not supported; the file must exist");
      s.env_file?.push(ctx.path(file));
    });
  }
  set("ports", readPorts(ctx, node, p("ports")));
  set("expose", ctx.strList(node, "expose", p("expose"), false));
  set("volumes", readServiceVolumes(ctx, node, p("volumes")));
  set("volumes_from", readVolumesFrom(ctx, node, p("volumes_from")));
  set("tmpfs", ctx.strList(node, "tmpfs", p("tmpfs")));
  readNetworks(ctx, node, p("networks"), s);
  const mode = ctx.str(node, "network_mode", p("network_mode"));
  if (mode !== undefined) {
    if (["bridge", "host", "none"].includes(mode) || /^(service|container):.+/.test(mode)) s.network_mode = mode;
    else ctx.schema(p("network_mode"), node, "network_mode", "must be bridge, host, none, service:NAME or container:NAME", mode);
  }
  const links = ctx.strList(node, "links", p("links"), false);
  if (links) {
    s.links = links.map((l) => {
      const [service = l, alias] = l.split(":");
      return { service, alias: alias ?? service };
    });
  }
  set("external_links", ctx.strList(node, "external_links", p("external_links"), false));
  if (s.external_links) ctx.unsupported(p("external_links"), node, "external_links");
  readDependsOn(ctx, node, p("depends_on"), s);
  readRestart(ctx, node, node.restart, p("restart"), s, "restart");
  readHealthcheck(ctx, node, p("healthcheck"), s);
  set("tty", ctx.bool(node, "tty", p("tty")));
  set("stdin_open", ctx.bool(node, "stdin_open", p("stdin_open")));
  set("user", ctx.str(node, "user", p("user")));
  set("working_dir", ctx.str(node, "working_dir", p("working_dir")));
  set("hostname", ctx.str(node, "hostname", p("hostname")));
  set("domainname", ctx.str(node, "domainname", p("domainname")));
  set("mac_address", ctx.str(node, "mac_address", p("mac_address")));
  set("labels", ctx.strMap(node, "labels", p("labels")));
  set("cap_add", ctx.strList(node, "cap_add", p("cap_add"), false));
  set("cap_drop", ctx.strList(node, "cap_drop", p("cap_drop"), false));
  set("privileged", ctx.bool(node, "privileged", p("privileged")));
  set("read_only", ctx.bool(node, "read_only", p("read_only")));
  set("init", ctx.bool(node, "init", p("init")));
  set("stop_signal", ctx.str(node, "stop_signal", p("stop_signal")));
  if (node.stop_grace_period !== undefined) {
    const ms = parseDurationMs(node.stop_grace_period);
    if (ms === undefined) ctx.schema(p("stop_grace_period"), node, "stop_grace_period", "must be a duration like 10s or 1m30s", node.stop_grace_period);
    else s.stop_grace_period_ms = ms;
  }
  readUlimits(ctx, node, p("ulimits"), s);
  set("sysctls", ctx.strMap(node, "sysctls", p("sysctls")));
  set("extra_hosts", readExtraHosts(ctx, node, p("extra_hosts")));
  set("dns", ctx.strList(node, "dns", p("dns")));
  set("dns_search", ctx.strList(node, "dns_search", p("dns_search")));
  set("dns_opt", ctx.strList(node, "dns_opt", p("dns_opt"), false));
  set("devices", readDevices(ctx, node, p("devices")));
  readLogging(ctx, node, p("logging"), s);
  readResources(ctx, node, path, s);
  set("secrets", readFileRefs(ctx, node, "secrets", p("secrets")));
  set("configs", readFileRefs(ctx, node, "configs", p("configs")));
  const sec = ctx.strList(node, "security_opt", p("security_opt"), false);
  if (sec) {
    s.security_opt = sec;
    sec.forEach((o, i) => {
      if (!/^no-new-privileges(:true|=true)?$/.test(o)) ctx.unsupported(`${p("security_opt")}[${i}]`, node.security_opt, i, `"${o}" is not supported yet; it is ignored`);
    });
  }
  set("profiles", ctx.strList(node, "profiles", p("profiles"), false));
  if (node.platform !== undefined) ctx.unsupported(p("platform"), node, "platform", "infra runs images for the host's platform only; platform is ignored");
  if (node.extends !== undefined && node.extends !== null) {
    if (typeof node.extends === "string") s.extends = { service: node.extends };
    else if (isMapping(node.extends) && typeof node.extends.service === "string") {
      ctx.checkKeys(node.extends, p("extends"), new Set(["service", "file"]));
      const file = ctx.str(node.extends, "file", p("extends.file"));
      s.extends = { service: node.extends.service, ...(file ? { file: ctx.path(file) } : {}) };
    } else ctx.schema(p("extends"), node, "extends", "must be a service name or a mapping with service (and file)", node.extends);
  }
  return s;
}

function readNetworks(ctx: ReadContext, node: Raw, path: string, s: ServiceDraft): void {
  const v = node.networks;
  if (v === null || v === undefined) return;
  const out: Record<string, ComposeServiceNetwork> = {};
  if (Array.isArray(v)) {
    v.forEach((n, i) => {
      if (typeof n !== "string") return ctx.schema(`${path}[${i}]`, v, i, "must be a network name", n);
      ctx.record(`${path}.${n}`, v, i);
      out[n] = {};
    });
  } else if (isMapping(v)) {
    for (const [n, cfg] of Object.entries(v)) {
      const np = `${path}.${n}`;
      ctx.record(np, v, n);
      out[n] = {};
      if (cfg === null || cfg === undefined) continue;
      if (!isMapping(cfg)) {
        ctx.schema(np, v, n, "must be a mapping", cfg);
        continue;
      }
      ctx.checkKeys(cfg, np, new Set(["aliases", "ipv4_address", "ipv6_address", "mac_address", "priority"]), new Set(["link_local_ips", "driver_opts", "gw_priority", "interface_name"]));
      const a: ComposeServiceNetwork = {};
      const aliases = ctx.strList(cfg, "aliases", `${np}.aliases`, false);
      if (aliases) a.aliases = aliases;
      const ip4 = ctx.str(cfg, "ipv4_address", `${np}.ipv4_address`);
      if (ip4) a.ipv4_address = ip4;
      const ip6 = ctx.str(cfg, "ipv6_address", `${np}.ipv6_address`);
      if (ip6) {
        a.ipv6_address = ip6;
        ctx.unsupported(`${np}.ipv6_address`, cfg, "ipv6_address", "IPv6 addresses are not supported yet; ignored");
      }
      const mac = ctx.str(cfg, "mac_address", `${np}.mac_address`);
      if (mac) a.mac_address = mac;
      const prio = ctx.int(cfg, "priority", `${np}.priority`, -Infinity);
      if (prio !== undefined) a.priority = prio;
      out[n] = a;
    }
  } else return ctx.schema(path, node, "networks", "must be a list or a mapping", v);
  s.networks = out;
}

function readDependsOn(ctx: ReadContext, node: Raw, path: string, s: ServiceDraft): void {
  const v = node.depends_on;
  if (v === null || v === undefined) return;
  const out: Record<string, ComposeDependsOn> = {};
  if (Array.isArray(v)) {
    v.forEach((n, i) => {
      if (typeof n !== "string") return ctx.schema(`${path}[${i}]`, v, i, "must be a service name", n);
      ctx.record(`${path}.${n}`, v, i);
      out[n] = { condition: "service_started" };
    });
  } else if (isMapping(v)) {
    for (const [n, cfg] of Object.entries(v)) {
      const np = `${path}.${n}`;
      ctx.record(np, v, n);
      const d: ComposeDependsOn = { condition: "service_started" };
      if (isMapping(cfg)) {
        ctx.checkKeys(cfg, np, new Set(["condition", "restart", "required"]));
        const c = ctx.str(cfg, "condition", `${np}.condition`);
        if (c !== undefined) {
          if (CONDITIONS.includes(c as DependsOnCondition)) d.condition = c as DependsOnCondition;
          else ctx.schema(`${np}.condition`, cfg, "condition", `must be one of ${CONDITIONS.join(", ")}`, c);
        }
        const r = ctx.bool(cfg, "restart", `${np}.restart`);
        if (r !== undefined) d.restart = r;
        const q = ctx.bool(cfg, "required", `${np}.required`);
        if (q !== undefined) d.required = q;
      } else if (cfg !== null) ctx.schema(np, v, n, "must be a mapping with condition", cfg);
      out[n] = d;
    }
  } else return ctx.schema(path, node, "depends_on", "must be a list or a mapping", v);
  s.depends_on = out;
}

export function readRestart(ctx: ReadContext, node: Raw, v: unknown, path: string, s: ServiceDraft, key: string): void {
  if (v === undefined || v === null) return;
  const text = v === false ? "no" : String(v);
  const m = /^(no|always|unless-stopped|on-failure)(?::(\d+))?$/.exec(text);
  if (!m || (m[2] !== undefined && m[1] !== "on-failure")) {
    ctx.schema(path, node, key, "must be no, always, unless-stopped or on-failure[:N]", v);
    return;
  }
  s.restart = { policy: m[1] as NonNullable<ServiceDraft["restart"]>["policy"], ...(m[2] ? { max_retries: Number(m[2]) } : {}) };
}

function readHealthcheck(ctx: ReadContext, node: Raw, path: string, s: ServiceDraft): void {
  const h = ctx.mapping(node, "healthcheck", path);
  if (!h) return;
  ctx.checkKeys(h, path, new Set(["test", "interval", "timeout", "start_period", "start_interval", "retries", "disable"]));
  const out: NonNullable<ServiceDraft["healthcheck"]> = {};
  if (typeof h.test === "string") out.test = ["CMD-SHELL", h.test];
  else if (h.test !== undefined) {
    const t = ctx.strList(h, "test", `${path}.test`, false);
    if (t) {
      if (!["CMD", "CMD-SHELL", "NONE"].includes(t[0] ?? "")) ctx.schema(`${path}.test`, h, "test", "a list must start with CMD, CMD-SHELL or NONE", t);
      else out.test = t;
    }
  }
  for (const [k, field] of [["interval", "interval_ms"], ["timeout", "timeout_ms"], ["start_period", "start_period_ms"], ["start_interval", "start_interval_ms"]] as const) {
    if (h[k] === undefined || h[k] === null) continue;
    const ms = parseDurationMs(h[k]);
    if (ms === undefined) ctx.schema(`${path}.${k}`, h, k, "must be a duration like 30s or 1m30s", h[k]);
    else out[field] = ms;
  }
  const retries = ctx.int(h, "retries", `${path}.retries`);
  if (retries !== undefined) out.retries = retries;
  const disable = ctx.bool(h, "disable", `${path}.disable`);
  if (disable || out.test?.[0] === "NONE") out.disable = true;
  s.healthcheck = out;
}

function readUlimits(ctx: ReadContext, node: Raw, path: string, s: ServiceDraft): void {
  const u = ctx.mapping(node, "ulimits", path);
  if (!u) return;
  const out: Record<string, { soft: number; hard: number }> = {};
  for (const [name, v] of Object.entries(u)) {
    if (typeof v === "number" && Number.isInteger(v)) out[name] = { soft: v, hard: v };
    else if (isMapping(v)) {
      const soft = ctx.int(v, "soft", `${path}.${name}.soft`, -1);
      const hard = ctx.int(v, "hard", `${path}.${name}.hard`, -1);
      if (soft !== undefined && hard !== undefined) out[name] = { soft, hard };
      else ctx.schema(`${path}.${name}`, u, name, "needs soft and hard", v);
    } else ctx.schema(`${path}.${name}`, u, name, "must be a number or a mapping with soft and hard", v);
  }
  s.ulimits = out;
}

function readLogging(ctx: ReadContext, node: Raw, path: string, s: ServiceDraft): void {
  const l = ctx.mapping(node, "logging", path);
  if (!l) return;
  ctx.checkKeys(l, path, new Set(["driver", "options"]));
  const driver = ctx.str(l, "driver", `${path}.driver`);
  const options = ctx.strMap(l, "options", `${path}.options`);
  if (driver && !["json-file", "local"].includes(driver)) ctx.unsupported(`${path}.driver`, l, "driver", `logging driver "${driver}" is not supported; infra keeps its own log file`);
  for (const k of Object.keys(options ?? {})) {
    if (!["max-size", "max-file"].includes(k)) ctx.unsupported(`${path}.options.${k}`, l.options, k);
  }
  s.logging = { ...(driver ? { driver } : {}), ...(options ? { options } : {}) };
}

function readResources(ctx: ReadContext, node: Raw, path: string, s: ServiceDraft): void {
  const r: NonNullable<ServiceDraft["resources"]> = {};
  const size = (holder: Raw, key: string, p: string): number | undefined => {
    const v = holder[key];
    if (v === undefined || v === null) return undefined;
    if (v === -1 || v === "-1") return -1;
    const b = parseSizeBytes(v);
    if (b === undefined) ctx.schema(p, holder, key, "must be a size like 512m or 1g", v);
    return b;
  };
  const put = <K extends keyof typeof r>(k: K, v: (typeof r)[K] | undefined): void => {
    if (v !== undefined) r[k] = v;
  };
  put("memory_bytes", size(node, "mem_limit", `${path}.mem_limit`));
  put("memory_reservation_bytes", size(node, "mem_reservation", `${path}.mem_reservation`));
  put("memory_swap_bytes", size(node, "memswap_limit", `${path}.memswap_limit`));
  put("shm_size_bytes", size(node, "shm_size", `${path}.shm_size`));
  put("cpus", ctx.num(node, "cpus", `${path}.cpus`));
  put("cpu_shares", ctx.int(node, "cpu_shares", `${path}.cpu_shares`));
  put("cpuset", ctx.str(node, "cpuset", `${path}.cpuset`));
  put("pids_limit", ctx.int(node, "pids_limit", `${path}.pids_limit`, -1));
  const blkio = ctx.mapping(node, "blkio_config", `${path}.blkio_config`);
  if (blkio) {
    ctx.checkKeys(blkio, `${path}.blkio_config`, new Set(["weight"]), new Set(["weight_device", "device_read_bps", "device_write_bps", "device_read_iops", "device_write_iops"]));
    put("blkio_weight", ctx.int(blkio, "weight", `${path}.blkio_config.weight`, 10));
  }
  const deploy = ctx.mapping(node, "deploy", `${path}.deploy`);
  if (deploy) {
    const dp = `${path}.deploy`;
    ctx.checkKeys(deploy, dp, new Set(["replicas", "resources", "restart_policy"]), new Set(["mode", "labels", "placement", "update_config", "rollback_config", "endpoint_mode"]));
    const replicas = ctx.int(deploy, "replicas", `${dp}.replicas`);
    if (replicas !== undefined) s.replicas = replicas;
    const res = ctx.mapping(deploy, "resources", `${dp}.resources`);
    if (res) {
      ctx.checkKeys(res, `${dp}.resources`, new Set(["limits", "reservations"]));
      const lim = ctx.mapping(res, "limits", `${dp}.resources.limits`);
      if (lim) {
        ctx.checkKeys(lim, `${dp}.resources.limits`, new Set(["cpus", "memory", "pids"]));
        const conflict = (k: keyof typeof r, v: number | undefined, key: string): void => {
          if (v === undefined) return;
          if (r[k] !== undefined && r[k] !== v) ctx.schema(`${dp}.resources.limits.${key}`, lim, key, `differs from the service's own limit (${String(r[k])})`, v, "Set the limit in one place.");
          else (r as Record<string, unknown>)[k] = v;
        };
        conflict("cpus", ctx.num(lim, "cpus", `${dp}.resources.limits.cpus`), "cpus");
        conflict("memory_bytes", size(lim, "memory", `${dp}.resources.limits.memory`), "memory");
        conflict("pids_limit", ctx.int(lim, "pids", `${dp}.resources.limits.pids`, -1), "pids");
      }
      const resv = ctx.mapping(res, "reservations", `${dp}.resources.reservations`);
      if (resv) {
        ctx.checkKeys(resv, `${dp}.resources.reservations`, new Set(["memory"]), new Set(["cpus", "devices", "generic_resources"]));
        put("memory_reservation_bytes", size(resv, "memory", `${dp}.resources.reservations.memory`));
      }
    }
    const rp = ctx.mapping(deploy, "restart_policy", `${dp}.restart_policy`);
    if (rp && node.restart === undefined) {
      ctx.checkKeys(rp, `${dp}.restart_policy`, new Set(["condition", "max_attempts"]), new Set(["delay", "window"]));
      const cond = ctx.str(rp, "condition", `${dp}.restart_policy.condition`) ?? "any";
      const policy = ({ none: "no", "on-failure": "on-failure", any: "always" } as Record<string, string>)[cond];
      const max = ctx.int(rp, "max_attempts", `${dp}.restart_policy.max_attempts`);
      if (!policy) ctx.schema(`${dp}.restart_policy.condition`, rp, "condition", "must be none, on-failure or any", cond);
      else readRestart(ctx, rp, policy === "on-failure" && max !== undefined ? `on-failure:${max}` : policy, `${dp}.restart_policy`, s, "condition");
    }
  }
  const scale = ctx.int(node, "scale", `${path}.scale`);
  if (scale !== undefined) {
    if (s.replicas !== undefined && s.replicas !== scale) ctx.schema(`${path}.scale`, node, "scale", `differs from deploy.replicas (${s.replicas})`, scale);
    s.replicas = scale;
  }
  if (Object.keys(r).length > 0) s.resources = r;
}
