/** Proves credentials before they are stored: `GET /v2/` answered with them (Basic or token flow). */
import type { Credentials } from "./credentials.js";
import type { RegistriesConfig } from "./registries-config.js";
import type { FetchFn } from "./registry-auth.js";
import { RegistryClient } from "./registry-client.js";

export async function checkLogin(host: string, credentials: Credentials, config: RegistriesConfig, opts: { fetch?: FetchFn; signal?: AbortSignal } = {}): Promise<void> {
  const client = new RegistryClient({ host, config, credentials, ...(opts.fetch ? { fetch: opts.fetch } : {}), ...(opts.signal ? { signal: opts.signal } : {}) });
  await client.ping();
}
