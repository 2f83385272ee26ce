/**
 * Registry credentials, Docker-style: `{"auths": {"host:port": {"auth": base64("user:pass")}}}` in
 * `$INFRA_ROOT/auth.json`, or `~/.config/infra/auth.json` when INFRA_ROOT is unset. The file is
 * written atomically with mode 0600 so that a crash never leaves it half-written or readable.
 */
import { chmod, mkdir, readFile, rm } from "node:fs/promises";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { writeFileAtomic } from "../host/atomic-write.js";
import { registryError } from "./registry-error.js";

export interface Credentials {
  username: string;
  password: string;
}

interface AuthFile {
  auths: Record<string, { auth?: string }>;
}

export function authFilePath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.INFRA_AUTH_FILE) return env.INFRA_AUTH_FILE;
  if (env.INFRA_ROOT) return join(env.INFRA_ROOT, "auth.json");
  return join(env.HOME ?? homedir(), ".config", "infra", "auth.json");
}

async function readAuthFile(path: string): Promise<AuthFile> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return { auths: {} };
    throw e;
  }
  try {
    const raw = JSON.parse(text) as Partial<AuthFile>;
    return { auths: typeof raw.auths === "object" && raw.auths !== null ? raw.auths : {} };
  } catch {
    throw registryError("Invalid", "BAD_AUTH_FILE", `${path} is not valid JSON`, `remove it and run \`infra login HOST\` again`);
  }
}

async function writeAuthFile(path: string, file: AuthFile): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  await writeFileAtomic(path, JSON.stringify(file, null, 2) + "\n", 0o600);
  // The umask may have narrowed the mode further, never widened it; make it exact.
  await chmod(path, 0o600);
}

export async function saveCredentials(path: string, host: string, creds: Credentials): Promise<void> {
  if (creds.username.includes(":")) throw registryError("Invalid", "BAD_USERNAME", `user name '${creds.username}' contains ':'`, "basic authentication cannot carry ':' in a user name");
  const file = await readAuthFile(path);
  file.auths[host] = { auth: Buffer.from(`${creds.username}:${creds.password}`).toString("base64") };
  await writeAuthFile(path, file);
}

/** Returns false when there was nothing stored for the host. Deletes the file when it becomes empty. */
export async function removeCredentials(path: string, host: string): Promise<boolean> {
  const file = await readAuthFile(path);
  if (file.auths[host] === undefined) return false;
  delete file.auths[host];
  if (Object.keys(file.auths).length === 0) await rm(path, { force: true });
  else await writeAuthFile(path, file);
  return true;
}

export async function lookupCredentials(path: string, host: string): Promise<Credentials | undefined> {
  const entry = (await readAuthFile(path)).auths[host];
  if (entry?.auth === undefined) return undefined;
  const text = Buffer.from(entry.auth, "base64").toString("utf8");
  const colon = text.indexOf(":");
  if (colon < 0) return undefined;
  return { username: text.slice(0, colon), password: text.slice(colon + 1) };
}

/** `https://host:5000/v2/` → `host:5000`: credentials are keyed by host as image names write it. */
export function normalizeRegistryHost(input: string): string {
  const host = input.trim().replace(/^[a-z]+:\/\//i, "").replace(/\/v2\/?$/, "").replace(/\/+$/, "");
  if (!/^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(:\d{1,5})?$/.test(host)) {
    throw registryError("Invalid", "BAD_HOST", `'${input}' is not a registry host`, "write HOST or HOST:PORT, e.g. 127.0.0.1:5000 or registry.example.com");
  }
  return host.toLowerCase();
}
