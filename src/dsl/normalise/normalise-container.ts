import * as path from "node:path";
import type { Props, Value, ValueObject } from "../../graph/value.js";
import { Container } from "../container.js";
import type { ContainerProps, MountInput } from "../container-props.js";
import { Image } from "../image.js";
import { Network } from "../network.js";
import { parseVolumeString, parseTmpfsString } from "../parse/mount.js";
import { parsePort } from "../parse/port.js";
import { shellWords } from "../parse/shell-words.js";
import { parseDurationMs, parseSize } from "../parse/size.js";
import { isRefObject } from "../ref.js";
import { Volume } from "../volume.js";
import { checkKeys, type SynthContext } from "./synth-context.js";
import { normaliseResources } from "./normalise-resources.js";

export const CONTAINER_PROP_KEYS = [
  "image", "name", "command", "entrypoint", "env", "envFiles", "workingDir", "user", "hostname", "domainname", "tty",
  "stdinOpen", "labels", "ports", "network", "networks", "networkMode", "links", "volumes", "tmpfs", "volumesFrom",
  "restart", "healthcheck", "resources", "capAdd", "capDrop", "privileged", "readOnlyRootfs", "noNewPrivileges", "init",
  "stopSignal", "stopTimeout", "ulimits", "sysctls", "extraHosts", "dns", "dnsSearch", "dnsOptions", "devices", "logging", "waitFor",
] as const;

/** Same-valued props copied as they are (after reference resolution). */
const PLAIN = [
  "workingDir", "hostname", "domainname", "tty", "stdinOpen", "labels", "capAdd", "capDrop", "privileged",
  "readOnlyRootfs", "noNewPrivileges", "init", "stopSignal", "dns", "dnsSearch", "dnsOptions",
] as const;

/** Engine names of containers are `<stack>-<path>`. */
export function containerName(stack: string, path: string): string {
  return `${stack}-${path.replaceAll("/", "-")}`;
}

function containerRef(ctx: SynthContext, c: Container | string, attribute: string): Value | undefined {
  if (typeof c === "string") return c;
  if (c instanceof Container) return ctx.refTo(c, "name", attribute);
  ctx.error("INFRA_VALIDATE_INVALID_VALUE", `${attribute} is not a container`, attribute, String(c), "pass a Container of this stack or a container name");
  return undefined;
}

function networkRef(ctx: SynthContext, n: Network | string, attribute: string): Value | undefined {
  if (typeof n === "string") return n;
  if (n instanceof Network) return ctx.refTo(n, "name", attribute);
  ctx.error("INFRA_VALIDATE_INVALID_VALUE", `${attribute} is not a network`, attribute, String(n), "pass a Network of this stack or a network name");
  return undefined;
}

function argv(ctx: SynthContext, v: ContainerProps["command"], attribute: string): Value | undefined {
  if (v === undefined) return undefined;
  if (typeof v === "string" && !isRefObject(v)) {
    const words = ctx.parse(attribute, v, () => shellWords(v));
    return words === undefined ? undefined : ctx.toValue(words, attribute);
  }
  return ctx.toValue(v, attribute);
}

function env(ctx: SynthContext, v: ContainerProps["env"]): Value | undefined {
  if (v === undefined) return undefined;
  const out: ValueObject = {};
  if (Array.isArray(v)) {
    v.forEach((line, i) => {
      const eq = line.indexOf("=");
      if (eq <= 0) {
        ctx.error("INFRA_VALIDATE_INVALID_VALUE", `env entry "${line}" is not KEY=VALUE`, `env[${i}]`, line, 'write "KEY=VALUE", or use the object form');
        return;
      }
      const x = ctx.toValue(line.slice(eq + 1), `env.${line.slice(0, eq)}`);
      if (x !== undefined) out[line.slice(0, eq)] = x;
    });
    return out;
  }
  for (const [k, x] of Object.entries(v)) {
    const y = ctx.toValue(typeof x === "number" || typeof x === "boolean" ? String(x) : x, `env.${k}`);
    if (y !== undefined) out[k] = y;
  }
  return out;
}

function ports(ctx: SynthContext, v: ContainerProps["ports"]): Value | undefined {
  if (v === undefined) return undefined;
  const out: Value[] = [];
  v.forEach((p, i) => {
    const attr = `ports[${i}]`;
    if (typeof p === "string" && !ctx.literal(p, attr)) return;
    const spec = ctx.parse(attr, p, () => parsePort(p));
    if (spec !== undefined) out.push(spec as unknown as Value);
  });
  return out;
}

function networks(ctx: SynthContext, p: ContainerProps): Value | undefined {
  const list = [...(p.network === undefined ? [] : [p.network]), ...(p.networks ?? [])];
  if (list.length === 0) return undefined;
  const out: Value[] = [];
  list.forEach((n, i) => {
    const attr = p.network !== undefined && i === 0 ? "network" : `networks[${p.network !== undefined ? i - 1 : i}]`;
    const att = typeof n === "string" || n instanceof Network ? { network: n } : n;
    if (att === n) checkKeys(ctx, att, ["network", "aliases", "ipv4Address", "macAddress"], `${attr}.`);
    const name = networkRef(ctx, att.network, attr);
    if (name === undefined) return;
    const o: ValueObject = { network: name };
    if (att.aliases !== undefined) o.aliases = ctx.toValue(att.aliases, `${attr}.aliases`) ?? [];
    if (att.ipv4Address !== undefined) o.ipv4Address = att.ipv4Address;
    if (att.macAddress !== undefined) o.macAddress = att.macAddress;
    out.push(o);
  });
  return out;
}

function networkMode(ctx: SynthContext, v: ContainerProps["networkMode"]): Value | undefined {
  if (v === undefined) return undefined;
  if (typeof v === "string") {
    if (v.startsWith("container:")) return { container: v.slice("container:".length) };
    if (v === "bridge" || v === "host" || v === "none") return v;
    ctx.error("INFRA_VALIDATE_INVALID_VALUE", `network mode "${v}" is not known`, "networkMode", v, 'use "bridge", "host", "none", "container:NAME" or { container: otherContainer }');
    return undefined;
  }
  const c = containerRef(ctx, v.container, "networkMode.container");
  return c === undefined ? undefined : { container: c };
}

function mount(ctx: SynthContext, m: MountInput, attr: string): Value | undefined {
  const dir = ctx.stack.dir;
  const hostPath = (s: string): string => (path.isAbsolute(s) || dir === undefined ? s : path.resolve(dir, s));
  if (typeof m === "string") {
    if (!ctx.literal(m, attr)) return undefined;
    const parsed = ctx.parse(attr, m, () => parseVolumeString(m));
    if (parsed === undefined) return undefined;
    const o: ValueObject = { type: parsed.type, target: parsed.target };
    if (parsed.type === "bind" && parsed.source !== undefined) {
      o.source = hostPath(parsed.source);
      o.createHostPath = true;
    } else if (parsed.source !== undefined) {
      // compose style: "data:/x" means this stack's volume "data" when there is one.
      const own = ctx.stack.node.children.find((c): c is Volume => c instanceof Volume && c.node.id === parsed.source);
      o.source = own !== undefined ? (ctx.refTo(own, "name", attr) ?? parsed.source) : parsed.source;
    }
    if (parsed.readOnly === true) o.readOnly = true;
    if (parsed.noCopy === true) o.noCopy = true;
    return o;
  }
  if ("volume" in m) {
    const src = m.volume instanceof Volume ? ctx.refTo(m.volume, "name", attr) : m.volume;
    if (src === undefined) return undefined;
    const o: ValueObject = { type: "volume", source: src, target: m.target };
    if (m.readOnly === true) o.readOnly = true;
    if (m.noCopy === true) o.noCopy = true;
    return o;
  }
  if ("bind" in m) {
    const o: ValueObject = { type: "bind", source: hostPath(m.bind), target: m.target, createHostPath: m.createHostPath ?? true };
    if (m.readOnly === true) o.readOnly = true;
    return o;
  }
  if ("tmpfs" in m) {
    const o: ValueObject = { type: "tmpfs", target: m.tmpfs };
    if (m.size !== undefined) {
      const size = ctx.parse(`${attr}.size`, m.size, () => parseSize(m.size as number | string));
      if (size !== undefined) o.tmpfsSize = size;
    }
    if (m.mode !== undefined) o.tmpfsMode = m.mode;
    return o;
  }
  ctx.error("INFRA_VALIDATE_INVALID_VOLUME", `${attr} is not a mount`, attr, m, "use a string, { volume, target }, { bind, target } or { tmpfs }");
  return undefined;
}

function mounts(ctx: SynthContext, p: ContainerProps): Value | undefined {
  if (p.volumes === undefined && p.tmpfs === undefined) return undefined;
  const out: Value[] = [];
  (p.volumes ?? []).forEach((m, i) => {
    const v = mount(ctx, m, `volumes[${i}]`);
    if (v !== undefined) out.push(v);
  });
  (p.tmpfs ?? []).forEach((t, i) => {
    const spec = ctx.parse(`tmpfs[${i}]`, t, () => parseTmpfsString(t));
    if (spec !== undefined) out.push(spec as unknown as Value);
  });
  return out;
}

function links(ctx: SynthContext, v: ContainerProps["links"]): Value | undefined {
  if (v === undefined) return undefined;
  const out: Value[] = [];
  v.forEach((l, i) => {
    const attr = `links[${i}]`;
    if (typeof l === "string") {
      const [name, alias] = l.split(":") as [string, string | undefined];
      out.push({ container: name, alias: alias ?? name });
      return;
    }
    const c = l instanceof Container ? l : l.container;
    const alias = l instanceof Container ? undefined : l.alias;
    const name = containerRef(ctx, c, attr);
    if (name !== undefined) out.push({ container: name, alias: alias ?? (typeof c === "string" ? c : c.node.id) });
  });
  return out;
}

const WAIT_CONDITIONS: readonly string[] = ["started", "healthy", "completed_successfully"];

function waitFor(ctx: SynthContext, v: ContainerProps["waitFor"]): Value | undefined {
  if (v === undefined) return undefined;
  const out: Value[] = [];
  v.forEach((w, i) => {
    const attr = `waitFor[${i}]`;
    if (typeof w !== "object" || w === null || w instanceof Container) {
      ctx.error("INFRA_VALIDATE_INVALID_VALUE", `${attr} is not { container, condition }`, attr, String(w), 'e.g. { container: db, condition: "healthy" }');
      return;
    }
    checkKeys(ctx, w, ["container", "condition"], `${attr}.`);
    if (!WAIT_CONDITIONS.includes(w.condition)) {
      ctx.error("INFRA_VALIDATE_INVALID_VALUE", `${attr}.condition must be started, healthy or completed_successfully`, `${attr}.condition`, String(w.condition), 'e.g. condition: "healthy"');
      return;
    }
    const name = containerRef(ctx, w.container, `${attr}.container`);
    if (name !== undefined) out.push({ container: name, condition: w.condition });
  });
  return out;
}

function volumesFrom(ctx: SynthContext, v: ContainerProps["volumesFrom"]): Value | undefined {
  if (v === undefined) return undefined;
  const out: Value[] = [];
  v.forEach((x, i) => {
    const attr = `volumesFrom[${i}]`;
    if (typeof x === "string") {
      const [name, mode] = x.split(":") as [string, string | undefined];
      out.push(mode === "ro" ? { container: name, readOnly: true } : { container: name });
      return;
    }
    const c = x instanceof Container ? x : x.container;
    const name = containerRef(ctx, c, attr);
    if (name === undefined) return;
    out.push(!(x instanceof Container) && x.readOnly === true ? { container: name, readOnly: true } : { container: name });
  });
  return out;
}

function restart(ctx: SynthContext, v: ContainerProps["restart"]): Value | undefined {
  if (v === undefined) return undefined;
  if (typeof v === "object") return v.maxRetries === undefined ? { policy: v.policy } : { policy: v.policy, maxRetries: v.maxRetries };
  const m = /^(no|always|unless-stopped|on-failure)(?::(\d+))?$/.exec(v);
  if (m === null || (m[2] !== undefined && m[1] !== "on-failure")) {
    ctx.error("INFRA_VALIDATE_INVALID_VALUE", `restart policy "${v}" is not known`, "restart", v, 'use "no", "always", "unless-stopped", "on-failure" or "on-failure:N"');
    return undefined;
  }
  return m[2] === undefined ? { policy: m[1] as string } : { policy: m[1] as string, maxRetries: Number(m[2]) };
}

function healthcheck(ctx: SynthContext, v: ContainerProps["healthcheck"]): Value | undefined {
  if (v === undefined) return undefined;
  if (v === "none") return { test: ["NONE"] };
  checkKeys(ctx, v, ["test", "interval", "timeout", "startPeriod", "retries"], "healthcheck.");
  const t = v.test;
  const test = typeof t === "string" ? ["CMD-SHELL", t] : ["CMD", "CMD-SHELL", "NONE"].includes(t[0] ?? "") ? t : ["CMD", ...t];
  const o: ValueObject = { test: ctx.toValue(test, "healthcheck.test") ?? [] };
  const dur = (k: "interval" | "timeout" | "startPeriod"): void => {
    const x = v[k];
    if (x === undefined) return;
    const ms = ctx.parse(`healthcheck.${k}`, x, () => parseDurationMs(x));
    if (ms !== undefined) o[`${k}Ms`] = ms;
  };
  dur("interval");
  dur("timeout");
  dur("startPeriod");
  if (v.retries !== undefined) o.retries = v.retries;
  return o;
}

function ulimits(ctx: SynthContext, v: ContainerProps["ulimits"]): Value | undefined {
  if (v === undefined) return undefined;
  const out: Value[] = [];
  if (Array.isArray(v)) {
    v.forEach((s, i) => {
      const m = /^([a-z]+)=(-?\d+)(?::(-?\d+))?$/.exec(s);
      if (m === null) {
        ctx.error("INFRA_VALIDATE_INVALID_VALUE", `ulimit "${s}" is not NAME=SOFT[:HARD]`, `ulimits[${i}]`, s, 'write e.g. "nofile=1024:2048"');
        return;
      }
      out.push({ name: m[1] as string, soft: Number(m[2]), hard: Number(m[3] ?? m[2]) });
    });
    return out;
  }
  for (const [name, x] of Object.entries(v)) {
    out.push(typeof x === "number" ? { name, soft: x, hard: x } : { name, soft: x.soft, hard: x.hard });
  }
  return out;
}

function extraHosts(ctx: SynthContext, v: ContainerProps["extraHosts"]): Value | undefined {
  if (v === undefined) return undefined;
  const out: Value[] = [];
  if (Array.isArray(v)) {
    v.forEach((s, i) => {
      const at = s.indexOf(":");
      if (at <= 0) {
        ctx.error("INFRA_VALIDATE_INVALID_VALUE", `extra host "${s}" is not HOST:IP`, `extraHosts[${i}]`, s, 'write "db.local:10.0.0.5"');
        return;
      }
      out.push({ host: s.slice(0, at), ip: s.slice(at + 1) });
    });
    return out;
  }
  for (const [host, ip] of Object.entries(v)) {
    const x = ctx.toValue(ip, `extraHosts.${host}`);
    if (x !== undefined) out.push({ host, ip: x });
  }
  return out;
}

function devices(ctx: SynthContext, v: ContainerProps["devices"]): Value | undefined {
  if (v === undefined) return undefined;
  return v.map((d) => {
    if (typeof d === "string") {
      const [hostPath, containerPath, permissions] = d.split(":") as [string, string | undefined, string | undefined];
      return { hostPath, containerPath: containerPath ?? hostPath, permissions: permissions ?? "rwm" };
    }
    return { hostPath: d.hostPath, containerPath: d.containerPath ?? d.hostPath, permissions: d.permissions ?? "rwm" };
  });
}

function logging(ctx: SynthContext, v: ContainerProps["logging"]): Value | undefined {
  if (v === undefined) return undefined;
  checkKeys(ctx, v, ["maxSize", "maxFiles"], "logging.");
  const o: ValueObject = {};
  if (v.maxSize !== undefined) {
    const n = ctx.parse("logging.maxSize", v.maxSize, () => parseSize(v.maxSize as number | string));
    if (n !== undefined) o.maxSize = n;
  }
  if (v.maxFiles !== undefined) o.maxFiles = v.maxFiles;
  return o;
}

function image(ctx: SynthContext, v: ContainerProps["image"]): Value | undefined {
  if (v instanceof Image) return ctx.refTo(v, "id", "image");
  return ctx.toValue(v, "image");
}

/** Normalise phase for a container: friendly props to `ContainerSpec`. */
export function normaliseContainer(ctx: SynthContext, c: Container): Props {
  const p = c.rawProps;
  checkKeys(ctx, p, CONTAINER_PROP_KEYS);
  const name = p.name ?? containerName(ctx.stack.name, c.node.path);
  const out: Props = { name, image: image(ctx, p.image) ?? "" };
  const set = (k: string, v: Value | undefined): void => {
    if (v !== undefined) out[k] = v;
  };
  set("command", argv(ctx, p.command, "command"));
  set("entrypoint", argv(ctx, p.entrypoint, "entrypoint"));
  set("env", env(ctx, p.env));
  for (const k of PLAIN) set(k, ctx.toValue(p[k], k));
  if (p.user !== undefined) set("user", ctx.toValue(typeof p.user === "number" ? String(p.user) : p.user, "user"));
  set("ports", ports(ctx, p.ports));
  set("networkMode", networkMode(ctx, p.networkMode));
  // A container that joins another's network namespace keeps the donor's hostname, as in Docker.
  if (out.hostname === undefined && !isContainerMode(out.networkMode)) out.hostname = name;
  set("networks", networks(ctx, p));
  set("links", links(ctx, p.links));
  set("mounts", mounts(ctx, p));
  set("volumesFrom", volumesFrom(ctx, p.volumesFrom));
  set("restart", restart(ctx, p.restart));
  set("healthcheck", healthcheck(ctx, p.healthcheck));
  set("resources", normaliseResources(ctx, p.resources));
  if (p.stopTimeout !== undefined) {
    const ms = ctx.parse("stopTimeout", p.stopTimeout, () => parseDurationMs(p.stopTimeout as number | string));
    if (ms !== undefined) out.stopTimeout = Math.ceil(ms / 1000);
  }
  set("ulimits", ulimits(ctx, p.ulimits));
  if (p.sysctls !== undefined) set("sysctls", ctx.toValue(Object.fromEntries(Object.entries(p.sysctls).map(([k, x]) => [k, String(x)])), "sysctls"));
  set("extraHosts", extraHosts(ctx, p.extraHosts));
  set("devices", devices(ctx, p.devices));
  set("logging", logging(ctx, p.logging));
  set("waitFor", waitFor(ctx, p.waitFor));
  return out;
}

function isContainerMode(mode: Value | undefined): boolean {
  return typeof mode === "object" && mode !== null && !Array.isArray(mode) && "container" in mode;
}
