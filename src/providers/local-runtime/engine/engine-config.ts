/**
 * The engine's own settings file, in the words of Docker's daemon.json: `$INFRA_CONFIG`, else
 * `/etc/infra/engine.json`. Read and checked when the engine starts (a bad file stops it with the
 * file, the key and the value named) and by `infra pull`, which pulls in the CLI's process.
 *
 *   { "registry-mirrors": ["https://mirror.example.com", "http://10.0.0.5:5000"],
 *     "insecure-registries": ["10.0.0.5:5000"] }
 */
import { readFile, stat } from "node:fs/promises";
import { runtimeError } from "../runtime-error.js";

export const DEFAULT_ENGINE_CONFIG_PATH = "/etc/infra/engine.json";

export interface RegistryMirror {
  /** `host[:port]`, as the client addresses it. */
  host: string;
  /** From the URL's scheme: `http://` mirrors are spoken to without TLS. */
  plainHttp: boolean;
}

export interface EngineConfig {
  /** Tried in order for `docker.io` images, before Docker Hub itself. */
  registryMirrors: RegistryMirror[];
  /** Registries spoken to over plain HTTP (`host[:port]`). */
  insecureRegistries: string[];
}

export const EMPTY_ENGINE_CONFIG: EngineConfig = { registryMirrors: [], insecureRegistries: [] };

/** A settings file is small; a larger one is a mistake (or hostile). */
const MAX_BYTES = 64 * 1024;
const MAX_ENTRIES = 64;
const KEYS = ["registry-mirrors", "insecure-registries"];
const HOST_PORT = /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*|\[[0-9a-fA-F:.]+\])(?::\d{1,5})?$/;

export function engineConfigPath(env: NodeJS.ProcessEnv): { path: string; explicit: boolean } {
  const given = env.INFRA_CONFIG;
  return given !== undefined && given !== "" ? { path: given, explicit: true } : { path: DEFAULT_ENGINE_CONFIG_PATH, explicit: false };
}

/** The default file may be absent (no settings); a file named by `$INFRA_CONFIG` must exist. */
export async function loadEngineConfig(env: NodeJS.ProcessEnv = process.env): Promise<EngineConfig> {
  const { path, explicit } = engineConfigPath(env);
  let size: number;
  try {
    size = (await stat(path)).size;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT" && !explicit) return EMPTY_ENGINE_CONFIG;
    throw configError(path, undefined, `cannot be read: ${(e as Error).message}`, explicit ? "INFRA_CONFIG names the engine's settings file; fix the path or unset it" : undefined, e);
  }
  if (size > MAX_BYTES) throw configError(path, undefined, `is ${size} bytes; the limit is ${MAX_BYTES}`);
  return parseEngineConfig(await readFile(path, "utf8"), path);
}

/** Pure: the text of the file, checked key by key. */
export function parseEngineConfig(text: string, path: string): EngineConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw configError(path, undefined, `is not JSON (${(e as Error).message})`);
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw configError(path, undefined, "must hold a JSON object");
  const obj = raw as Record<string, unknown>;
  for (const k of Object.keys(obj)) if (!KEYS.includes(k)) throw configError(path, k, "is not a setting the engine knows", `known: ${KEYS.join(", ")}`);
  const mirrors = stringList(obj, "registry-mirrors", path).map((v) => parseMirror(v, path));
  const insecure = stringList(obj, "insecure-registries", path).map((v) => {
    const s = v.replace(/^https?:\/\//, "").replace(/\/$/, "");
    if (/\/\d{1,2}$/.test(s)) throw configError(path, "insecure-registries", `has the range ${JSON.stringify(v)}; address ranges are not supported`, "list each registry as host[:port]");
    if (!HOST_PORT.test(s)) throw configError(path, "insecure-registries", `has ${JSON.stringify(v)}, which is not host[:port]`, 'e.g. "registry.lan:5000"');
    return s;
  });
  return { registryMirrors: mirrors, insecureRegistries: insecure };
}

function stringList(obj: Record<string, unknown>, key: string, path: string): string[] {
  const v = obj[key];
  if (v === undefined) return [];
  if (!Array.isArray(v) || v.some((x) => typeof x !== "string" || x === "")) throw configError(path, key, "must be a list of non-empty strings");
  if (v.length > MAX_ENTRIES) throw configError(path, key, `has ${v.length} entries; the limit is ${MAX_ENTRIES}`);
  return v as string[];
}

/** Docker's form: a URL with a scheme and a host, no path, query or credentials. */
function parseMirror(v: string, path: string): RegistryMirror {
  const bad = (why: string) => configError(path, "registry-mirrors", `has ${JSON.stringify(v)}: ${why}`, 'write the mirror as a URL, e.g. "https://mirror.example.com" or "http://10.0.0.5:5000"');
  let url: URL;
  try {
    url = new URL(v);
  } catch {
    throw bad("not a URL");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw bad("the scheme must be http or https");
  if (url.username !== "" || url.password !== "") throw bad("credentials do not belong in the URL (use infra login)");
  if ((url.pathname !== "/" && url.pathname !== "") || url.search !== "" || url.hash !== "") throw bad("a mirror is a host, without a path");
  return { host: url.host, plainHttp: url.protocol === "http:" };
}

function configError(path: string, key: string | undefined, why: string, hint?: string, cause?: unknown): Error {
  const where = key === undefined ? path : `${path}: "${key}"`;
  return runtimeError("Invalid", "BAD_ENGINE_CONFIG", `engine settings ${where} ${why}`, hint ?? "see docs/engine-config.md", cause);
}
