/**
 * Which registries the engine talks to and how: `$INFRA_ROOT/registries.json`
 * `{ "insecure": ["host:port"], "search": ["host:port"] }`. `insecure` registries are reached over
 * plain HTTP; `search` registries are tried, in order, for short names not found locally.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { EngineConfig, RegistryMirror } from "../engine/engine-config.js";
import { registryError } from "./registry-error.js";

export interface RegistriesConfig {
  insecure: string[];
  search: string[];
  /** Tried in order for `docker.io` images, before Docker Hub (the engine settings' `registry-mirrors`). */
  mirrors?: RegistryMirror[];
}

export const EMPTY_REGISTRIES_CONFIG: RegistriesConfig = { insecure: [], search: [] };

export function registriesConfigPath(root: string): string {
  return join(root, "registries.json");
}

/** A missing file is the empty config; a malformed one is an error naming the file. */
export async function loadRegistriesConfig(path: string): Promise<RegistriesConfig> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return { insecure: [], search: [] };
    throw e;
  }
  return parseRegistriesConfig(text, path);
}

export function parseRegistriesConfig(text: string, path: string): RegistriesConfig {
  const bad = (why: string) =>
    registryError("Invalid", "BAD_CONFIG", `${path}: ${why}`, 'write {"insecure": ["host:port", ...], "search": ["host:port", ...]}');
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw bad(`not JSON (${(e as Error).message})`);
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw bad("expected an object");
  const obj = raw as Record<string, unknown>;
  const list = (key: string): string[] => {
    const v = obj[key];
    if (v === undefined) return [];
    if (!Array.isArray(v) || v.some((x) => typeof x !== "string" || x === "")) throw bad(`"${key}" must be a list of host[:port] strings`);
    return v as string[];
  };
  for (const k of Object.keys(obj)) if (k !== "insecure" && k !== "search") throw bad(`unknown key "${k}"`);
  return { insecure: list("insecure"), search: list("search") };
}

/** registries.json and the engine settings together: insecure hosts from both, `http://` mirrors among them. Pure. */
export function withEngineConfig(cfg: RegistriesConfig, engine: EngineConfig): RegistriesConfig {
  const insecure = [...cfg.insecure, ...engine.insecureRegistries, ...engine.registryMirrors.filter((m) => m.plainHttp).map((m) => m.host)];
  return { ...cfg, insecure: [...new Set(insecure)], mirrors: engine.registryMirrors };
}

/** Loopback registries never need TLS; the others only when configured insecure. */
export function isPlainHttpRegistry(host: string, cfg: RegistriesConfig): boolean {
  if (cfg.insecure.includes(host)) return true;
  const name = hostName(host);
  return name === "localhost" || name === "127.0.0.1" || name === "[::1]" || name === "::1";
}

/** `host:5000` → `host`; `[::1]:5000` → `[::1]`. */
export function hostName(host: string): string {
  if (host.startsWith("[")) {
    const end = host.indexOf("]");
    return end < 0 ? host : host.slice(0, end + 1);
  }
  const colon = host.lastIndexOf(":");
  return colon < 0 ? host : host.slice(0, colon);
}

/** The registry's API endpoint host; Docker Hub's is not its name. */
export function endpointHost(host: string): string {
  return host === "docker.io" || host === "index.docker.io" ? "registry-1.docker.io" : host;
}

export function registryBaseUrl(host: string, cfg: RegistriesConfig): string {
  return `${isPlainHttpRegistry(host, cfg) ? "http" : "https"}://${endpointHost(host)}`;
}
