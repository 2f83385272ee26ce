/**
 * Merging as the Compose Specification defines it, for `-f` overrides and for `extends`:
 * mappings merge key by key, sequences append, except that command, entrypoint,
 * healthcheck.test (and scalars such as restart) are replaced, and ports, volumes, secrets and
 * configs merge by their unique key. Pure; inputs are not modified.
 */
import type { FileDraft } from "./read-compose-file.js";
import type { ServiceDraft } from "./read-service.js";
import { canonicalJson } from "../graph/value.js";

const REPLACED = new Set(["command", "entrypoint", "healthcheck.test", "restart", "extends", "build.context", "build.dockerfile"]);

/** The identity by which items of a sequence override each other; absent: append and dedupe. */
const UNIQUE_KEY: Record<string, (item: Record<string, unknown>) => string> = {
  ports: (p) => canonicalJson([p.host_ip ?? "", p.target, p.published ?? "", p.protocol]),
  volumes: (v) => String(v.target),
  secrets: (s) => String(s.target),
  configs: (c) => String(c.target),
};

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function mergeValue(path: string, base: unknown, over: unknown): unknown {
  if (over === undefined) return base;
  if (base === undefined || REPLACED.has(path)) return structuredClone(over);
  if (Array.isArray(base) && Array.isArray(over)) {
    const keyOf = UNIQUE_KEY[path];
    if (keyOf) {
      const out = base.map((x) => structuredClone(x) as Record<string, unknown>);
      for (const item of over as Array<Record<string, unknown>>) {
        const i = out.findIndex((x) => keyOf(x) === keyOf(item));
        if (i >= 0) out[i] = mergeValue(`${path}[]`, out[i], item) as Record<string, unknown>;
        else out.push(structuredClone(item));
      }
      return out;
    }
    const out = base.map((x) => structuredClone(x));
    const seen = new Set(out.map((x) => canonicalJson(x)));
    for (const item of over) if (!seen.has(canonicalJson(item))) out.push(structuredClone(item));
    return out;
  }
  if (isObj(base) && isObj(over)) {
    const out: Record<string, unknown> = {};
    for (const k of new Set([...Object.keys(base), ...Object.keys(over)])) {
      const v = mergeValue(path === "" ? k : `${path}.${k}`, base[k], over[k]);
      if (v !== undefined) out[k] = v;
    }
    return out;
  }
  return structuredClone(over);
}

export function mergeServiceDrafts(base: ServiceDraft, over: ServiceDraft): ServiceDraft {
  return mergeValue("", base, over) as ServiceDraft;
}

export function mergeFileDrafts(base: FileDraft, over: FileDraft): FileDraft {
  const out: FileDraft = { services: {}, networks: {}, volumes: {}, secrets: {}, configs: {} };
  const name = over.name ?? base.name;
  if (name !== undefined) out.name = name;
  for (const k of Object.keys({ ...base.services, ...over.services })) {
    const b = base.services[k];
    const o = over.services[k];
    out.services[k] = b && o ? mergeServiceDrafts(b, o) : structuredClone((o ?? b) as ServiceDraft);
  }
  for (const kind of ["networks", "volumes", "secrets", "configs"] as const) {
    for (const k of Object.keys({ ...base[kind], ...over[kind] })) {
      out[kind][k] = mergeValue("", base[kind][k], over[kind][k]) as never;
    }
  }
  return out;
}
