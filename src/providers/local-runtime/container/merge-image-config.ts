/**
 * Docker's rules for what a container runs, given its image's config and the user's overrides:
 * argv = ENTRYPOINT ++ CMD; setting an entrypoint drops the image's CMD; env merges by key.
 */
import type { ImageRuntimeConfig } from "../image/image-types.js";
import { runtimeError } from "../runtime-error.js";
import { DEFAULT_PATH } from "./oci-defaults.js";

export interface ProcessOverrides {
  command?: string[];
  entrypoint?: string[];
  env?: Record<string, string>;
  workingDir?: string;
  user?: string;
  hostname: string;
  tty?: boolean;
}

export interface MergedProcess {
  args: string[];
  env: string[];
  cwd: string;
  /** As written (`name`, `uid`, `uid:gid`, `name:group`); resolved against /etc/passwd later. */
  user: string;
}

export function mergeImageConfig(image: ImageRuntimeConfig | undefined, o: ProcessOverrides): MergedProcess {
  const img = image ?? {};
  const entrypoint = o.entrypoint ?? img.Entrypoint ?? [];
  const cmd = o.command ?? (o.entrypoint !== undefined ? [] : img.Cmd ?? []);
  const args = [...entrypoint, ...cmd];
  if (args.length === 0)
    throw runtimeError("Invalid", "NO_COMMAND", "no command specified: the image has no ENTRYPOINT or CMD and none was given", "pass a command after the image name");
  const env = new Map<string, string>();
  for (const kv of img.Env ?? []) {
    const i = kv.indexOf("=");
    if (i > 0) env.set(kv.slice(0, i), kv.slice(i + 1));
  }
  if (!env.has("PATH")) env.set("PATH", DEFAULT_PATH);
  env.set("HOSTNAME", o.hostname);
  if (o.tty) env.set("TERM", "xterm");
  for (const [k, v] of Object.entries(o.env ?? {})) env.set(k, v);
  return {
    args,
    env: [...env].map(([k, v]) => `${k}=${v}`),
    cwd: o.workingDir || img.WorkingDir || "/",
    user: o.user || img.User || "0",
  };
}
