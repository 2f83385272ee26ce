/** Builds a RegistryClient for a host from a store's registries config and the stored credentials. */
import type { ImageStore } from "../image/image-store.js";
import { authFilePath, lookupCredentials, type Credentials } from "./credentials.js";
import { loadEngineConfig } from "../engine/engine-config.js";
import { loadRegistriesConfig, registriesConfigPath, withEngineConfig, type RegistriesConfig } from "./registries-config.js";
import type { FetchFn } from "./registry-auth.js";
import { RegistryClient } from "./registry-client.js";

export interface RegistryAccessOptions {
  /** Default: `registries.json` in the store's root. */
  config?: RegistriesConfig;
  /** Explicit credentials; otherwise looked up in `authFile`. */
  credentials?: Credentials;
  /** Default: `authFilePath(process.env)`. */
  authFile?: string;
  fetch?: FetchFn;
  signal?: AbortSignal;
}

/** The engine passes its own (read at its start); `infra pull` reads registries.json and the engine settings file. */
export async function registriesConfigFor(store: ImageStore, opts: RegistryAccessOptions): Promise<RegistriesConfig> {
  if (opts.config) return opts.config;
  return withEngineConfig(await loadRegistriesConfig(registriesConfigPath(store.layout.root)), await loadEngineConfig(process.env));
}

export async function openRegistryClient(store: ImageStore, host: string, opts: RegistryAccessOptions): Promise<RegistryClient> {
  const config = await registriesConfigFor(store, opts);
  const credentials = opts.credentials ?? (await lookupCredentials(opts.authFile ?? authFilePath(), host));
  return new RegistryClient({
    host,
    config,
    ...(credentials ? { credentials } : {}),
    ...(opts.fetch ? { fetch: opts.fetch } : {}),
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
}
