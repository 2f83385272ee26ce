/**
 * Short and long syntax of the service keys that have both (ports, volumes, volumes_from,
 * secrets/configs, devices, extra_hosts), read into their long form.
 */
import type { ComposeFileReference, ComposePort, ComposeServiceVolume } from "./compose-model.js";
import { isMapping, type Raw, type ReadContext } from "./read-context.js";
import { parseMode, parseSizeBytes } from "./units.js";

function range(s: string): { first: number; count: number } | undefined {
  const m = /^(\d+)(?:-(\d+))?$/.exec(s.trim());
  if (!m) return undefined;
  const first = Number(m[1]);
  const last = m[2] === undefined ? first : Number(m[2]);
  if (first < 1 || last > 65535 || last < first) return undefined;
  return { first, count: last - first + 1 };
}

/** "[ip:][host[-h2]:]container[-c2][/proto]" or a number. */
export function parsePortShort(input: string | number): ComposePort | string {
  let s = String(input).trim();
  let protocol: "tcp" | "udp" = "tcp";
  const slash = s.lastIndexOf("/");
  if (slash >= 0) {
    const p = s.slice(slash + 1).toLowerCase();
    if (p !== "tcp" && p !== "udp") return `protocol "${p}" is not tcp or udp`;
    protocol = p;
    s = s.slice(0, slash);
  }
  let hostIp: string | undefined;
  if (s.startsWith("[")) {
    const end = s.indexOf("]:");
    if (end < 0) return "an IPv6 host address must be written [addr]:host:container";
    hostIp = s.slice(1, end);
    s = s.slice(end + 2);
  }
  const parts = s.split(":");
  if (parts.length > 3 || (hostIp !== undefined && parts.length > 2)) return "expected [ip:][host:]container[/protocol]";
  if (parts.length === 3) hostIp = parts.shift();
  const containerPart = parts.pop() ?? "";
  const hostPart = parts.pop();
  const c = range(containerPart);
  if (!c) return `container port "${containerPart}" is not a port or a range of ports`;
  const port: ComposePort = { target: c.first, protocol };
  if (c.count > 1) port.count = c.count;
  if (hostIp) port.host_ip = hostIp;
  if (hostPart !== undefined && hostPart !== "") {
    const h = range(hostPart);
    if (!h) return `host port "${hostPart}" is not a port or a range of ports`;
    if (h.count !== c.count) return `host range "${hostPart}" and container range "${containerPart}" differ in length`;
    port.published = h.first;
  }
  return port;
}

export function readPorts(ctx: ReadContext, node: Raw, path: string): ComposePort[] | undefined {
  const v = node.ports;
  if (v === null || v === undefined) return undefined;
  if (!Array.isArray(v)) {
    ctx.schema(path, node, "ports", "must be a list", v);
    return undefined;
  }
  const out: ComposePort[] = [];
  v.forEach((item, i) => {
    const p = `${path}[${i}]`;
    ctx.record(p, v, i);
    if (typeof item === "string" || typeof item === "number") {
      const r = parsePortShort(item);
      if (typeof r === "string") ctx.schema(p, v, i, r, item, 'Write it like "8080:80", "127.0.0.1:8080:80/udp" or "80".');
      else out.push(r);
      return;
    }
    if (!isMapping(item)) return ctx.schema(p, v, i, "must be a string or a mapping", item);
    ctx.checkKeys(item, p, new Set(["target", "published", "host_ip", "protocol", "mode", "name", "app_protocol"]));
    const target = ctx.int(item, "target", `${p}.target`, 1);
    if (target === undefined) {
      if (item.target === undefined) ctx.schema(p, v, i, "the long syntax needs a target port", item);
      return;
    }
    const port: ComposePort = { target, protocol: "tcp" };
    const proto = ctx.str(item, "protocol", `${p}.protocol`);
    if (proto === "udp" || proto === "tcp") port.protocol = proto;
    else if (proto !== undefined) ctx.schema(`${p}.protocol`, item, "protocol", "must be tcp or udp", proto);
    if (item.published !== undefined && item.published !== null && item.published !== "") {
      const h = range(String(item.published));
      if (!h) ctx.schema(`${p}.published`, item, "published", "must be a port or a range", item.published);
      else {
        port.published = h.first;
        if (h.count > 1) port.count = h.count;
      }
    }
    const ip = ctx.str(item, "host_ip", `${p}.host_ip`);
    if (ip) port.host_ip = ip;
    const mode = ctx.str(item, "mode", `${p}.mode`);
    if (mode === "host" || mode === "ingress") port.mode = mode;
    else if (mode !== undefined) ctx.schema(`${p}.mode`, item, "mode", "must be host or ingress", mode);
    const name = ctx.str(item, "name", `${p}.name`);
    if (name) port.name = name;
    const app = ctx.str(item, "app_protocol", `${p}.app_protocol`);
    if (app) port.app_protocol = app;
    out.push(port);
  });
  return out;
}

const isHostPath = (s: string): boolean => s.startsWith("/") || s.startsWith(".") || s.startsWith("~");

export function readServiceVolumes(ctx: ReadContext, node: Raw, path: string): ComposeServiceVolume[] | undefined {
  const v = node.volumes;
  if (v === null || v === undefined) return undefined;
  if (!Array.isArray(v)) {
    ctx.schema(path, node, "volumes", "must be a list", v);
    return undefined;
  }
  const out: ComposeServiceVolume[] = [];
  v.forEach((item, i) => {
    const p = `${path}[${i}]`;
    ctx.record(p, v, i);
    if (typeof item === "string") {
      const parts = item.split(":");
      if (parts.length > 3 || parts.some((x) => x === "")) return ctx.schema(p, v, i, "expected [source:]target[:mode]", item);
      const [a, b, mode] = parts as [string, string | undefined, string | undefined];
      if (b === undefined) {
        out.push({ type: "volume", target: a });
        return;
      }
      const vol: ComposeServiceVolume = isHostPath(a)
        ? { type: "bind", source: ctx.path(a), target: b, bind: { create_host_path: true } }
        : { type: "volume", source: a, target: b };
      for (const m of (mode ?? "").split(",").filter(Boolean)) {
        if (m === "ro") vol.read_only = true;
        else if (m === "rw") continue;
        else if (m === "nocopy" && vol.type === "volume") vol.volume = { nocopy: true };
        else if ((m === "z" || m === "Z") && vol.type === "bind") vol.bind = { ...vol.bind, selinux: m };
        else if (["shared", "rshared", "slave", "rslave", "private", "rprivate"].includes(m) && vol.type === "bind")
          vol.bind = { ...vol.bind, propagation: m };
        else ctx.schema(p, v, i, `unknown volume mode "${m}"`, item, "Use ro or rw (and nocopy for named volumes).");
      }
      if (!b.startsWith("/")) ctx.schema(p, v, i, `the container path "${b}" must be absolute`, item);
      out.push(vol);
      return;
    }
    if (!isMapping(item)) return ctx.schema(p, v, i, "must be a string or a mapping", item);
    ctx.checkKeys(item, p, new Set(["type", "source", "target", "read_only", "bind", "volume", "tmpfs", "consistency"]), new Set(["image", "npipe", "cluster"]));
    const type = ctx.str(item, "type", `${p}.type`);
    const target = ctx.str(item, "target", `${p}.target`);
    if (type !== "bind" && type !== "volume" && type !== "tmpfs") {
      return ctx.schema(`${p}.type`, item, "type", "must be bind, volume or tmpfs", type, "image, npipe and cluster mounts are not supported.");
    }
    if (!target || !target.startsWith("/")) return ctx.schema(`${p}.target`, item, "target", "must be an absolute path", target);
    const vol: ComposeServiceVolume = { type, target };
    const source = ctx.str(item, "source", `${p}.source`);
    if (source) vol.source = type === "bind" ? ctx.path(source) : source;
    if (type === "bind" && !source) ctx.schema(`${p}.source`, item, "source", "a bind mount needs a source path");
    if (ctx.bool(item, "read_only", `${p}.read_only`)) vol.read_only = true;
    const bind = ctx.mapping(item, "bind", `${p}.bind`);
    if (bind) {
      ctx.checkKeys(bind, `${p}.bind`, new Set(["create_host_path", "propagation", "selinux"]), new Set(["recursive"]));
      const b: NonNullable<ComposeServiceVolume["bind"]> = {};
      const c = ctx.bool(bind, "create_host_path", `${p}.bind.create_host_path`);
      if (c !== undefined) b.create_host_path = c;
      const pr = ctx.str(bind, "propagation", `${p}.bind.propagation`);
      if (pr) b.propagation = pr;
      const se = ctx.str(bind, "selinux", `${p}.bind.selinux`);
      if (se) b.selinux = se;
      vol.bind = b;
    }
    const volume = ctx.mapping(item, "volume", `${p}.volume`);
    if (volume) {
      ctx.checkKeys(volume, `${p}.volume`, new Set(["nocopy", "subpath"]));
      const n = ctx.bool(volume, "nocopy", `${p}.volume.nocopy`);
      const sp = ctx.str(volume, "subpath", `${p}.volume.subpath`);
      vol.volume = { ...(n === undefined ? {} : { nocopy: n }), ...(sp ? { subpath: sp } : {}) };
      if (sp) ctx.unsupported(`${p}.volume.subpath`, volume, "subpath");
    }
    const tmpfs = ctx.mapping(item, "tmpfs", `${p}.tmpfs`);
    if (tmpfs) {
      ctx.checkKeys(tmpfs, `${p}.tmpfs`, new Set(["size", "mode"]));
      const t: NonNullable<ComposeServiceVolume["tmpfs"]> = {};
      if (tmpfs.size !== undefined) {
        const size = parseSizeBytes(tmpfs.size);
        if (size === undefined) ctx.schema(`${p}.tmpfs.size`, tmpfs, "size", "must be a size like 64m", tmpfs.size);
        else t.size_bytes = size;
      }
      if (tmpfs.mode !== undefined) {
        const mode = parseMode(tmpfs.mode);
        if (mode === undefined) ctx.schema(`${p}.tmpfs.mode`, tmpfs, "mode", "must be an octal mode", tmpfs.mode);
        else t.mode = mode;
      }
      vol.tmpfs = t;
    }
    const cons = ctx.str(item, "consistency", `${p}.consistency`);
    if (cons) vol.consistency = cons;
    out.push(vol);
  });
  return out;
}

export function readVolumesFrom(ctx: ReadContext, node: Raw, path: string): Array<{ service?: string; container?: string; read_only?: boolean }> | undefined {
  const list = ctx.strList(node, "volumes_from", path, false);
  if (!list) return undefined;
  return list.map((s, i) => {
    ctx.record(`${path}[${i}]`, node.volumes_from, i);
    const parts = s.split(":");
    const ro = parts[parts.length - 1] === "ro";
    if (parts[parts.length - 1] === "ro" || parts[parts.length - 1] === "rw") parts.pop();
    const out = parts[0] === "container" ? { container: parts.slice(1).join(":") } : { service: parts.join(":") };
    return ro ? { ...out, read_only: true } : out;
  });
}

export function readFileRefs(ctx: ReadContext, node: Raw, key: "secrets" | "configs", path: string): ComposeFileReference[] | undefined {
  const v = node[key];
  if (v === null || v === undefined) return undefined;
  if (!Array.isArray(v)) {
    ctx.schema(path, node, key, "must be a list", v);
    return undefined;
  }
  const defaultTarget = (source: string, target?: string): string => {
    if (key === "secrets") return target?.startsWith("/") ? target : `/run/secrets/${target ?? source}`;
    return target?.startsWith("/") ? target : `/${target ?? source}`;
  };
  const out: ComposeFileReference[] = [];
  v.forEach((item, i) => {
    const p = `${path}[${i}]`;
    ctx.record(p, v, i);
    if (typeof item === "string") {
      out.push({ source: item, target: defaultTarget(item) });
      return;
    }
    if (!isMapping(item)) return ctx.schema(p, v, i, "must be a name or a mapping", item);
    ctx.checkKeys(item, p, new Set(["source", "target", "uid", "gid", "mode"]));
    const source = ctx.str(item, "source", `${p}.source`);
    if (!source) return ctx.schema(p, v, i, "needs a source", item);
    const ref: ComposeFileReference = { source, target: defaultTarget(source, ctx.str(item, "target", `${p}.target`)) };
    const uid = ctx.str(item, "uid", `${p}.uid`);
    if (uid) ref.uid = uid;
    const gid = ctx.str(item, "gid", `${p}.gid`);
    if (gid) ref.gid = gid;
    if (item.mode !== undefined) {
      const mode = parseMode(item.mode);
      if (mode !== undefined) ref.mode = mode;
      else ctx.schema(`${p}.mode`, item, "mode", "must be an octal mode", item.mode);
    }
    out.push(ref);
  });
  return out;
}

export function readDevices(ctx: ReadContext, node: Raw, path: string): Array<{ source: string; target: string; permissions: string }> | undefined {
  const v = node.devices;
  if (v === null || v === undefined) return undefined;
  if (!Array.isArray(v)) {
    ctx.schema(path, node, "devices", "must be a list", v);
    return undefined;
  }
  const out: Array<{ source: string; target: string; permissions: string }> = [];
  v.forEach((item, i) => {
    if (typeof item === "string") {
      const [source, target, permissions] = item.split(":");
      if (!source?.startsWith("/")) return ctx.schema(`${path}[${i}]`, v, i, "expected /dev/host[:/dev/container[:rwm]]", item);
      out.push({ source, target: target ?? source, permissions: permissions ?? "rwm" });
    } else if (isMapping(item) && typeof item.source === "string") {
      out.push({ source: item.source, target: String(item.target ?? item.source), permissions: String(item.permissions ?? "rwm") });
    } else ctx.schema(`${path}[${i}]`, v, i, "must be a device string or a mapping with source", item);
  });
  return out;
}

export function readExtraHosts(ctx: ReadContext, node: Raw, path: string): Array<{ host: string; ip: string }> | undefined {
  const v = node.extra_hosts;
  if (v === null || v === undefined) return undefined;
  if (isMapping(v)) {
    return Object.entries(v).flatMap(([host, ip]) => (Array.isArray(ip) ? ip : [ip]).map((x) => ({ host, ip: String(x) })));
  }
  const list = ctx.strList(node, "extra_hosts", path, false);
  if (!list) return undefined;
  const out: Array<{ host: string; ip: string }> = [];
  list.forEach((s, i) => {
    const at = /[=:]/.exec(s);
    if (!at) return ctx.schema(`${path}[${i}]`, v, i, "expected host:ip or host=ip", s);
    let ip = s.slice(at.index + 1);
    if (ip.startsWith("[") && ip.endsWith("]")) ip = ip.slice(1, -1);
    out.push({ host: s.slice(0, at.index), ip });
  });
  return out;
}
