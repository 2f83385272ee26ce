/**
 * The OCI distribution API of one registry over Node's fetch: ping, manifests, blob existence,
 * download, cross-repository mount, monolithic upload. Answers 401 challenges through
 * `RegistryAuth` and turns HTTP failures into ProviderErrors that say what to do.
 */
import { sha256 } from "../image/digest.js";
import type { Credentials } from "./credentials.js";
import { MANIFEST_ACCEPT } from "./manifest-media.js";
import { EMPTY_REGISTRIES_CONFIG, isPlainHttpRegistry, registryBaseUrl, type RegistriesConfig } from "./registries-config.js";
import { causeText, RegistryAuth, type FetchFn } from "./registry-auth.js";
import { registryError } from "./registry-error.js";

export interface RegistryClientOptions {
  /** The registry as written in image names: `127.0.0.1:5000`, `registry.example.com`. */
  host: string;
  config?: RegistriesConfig;
  credentials?: Credentials;
  /** Replaces global fetch (tests count requests with it). */
  fetch?: FetchFn;
  signal?: AbortSignal;
}

export interface RemoteManifest {
  /** Exact bytes as served: the digest covers them. */
  bytes: Buffer;
  digest: string;
  contentType: string | undefined;
}

export type MountResult = { mounted: true } | { mounted: false; location: string };

interface RequestInit2 {
  scopes: string[];
  headers?: Record<string, string>;
  /** A Blob or bytes; both can be sent again after a 401. */
  body?: Blob | Uint8Array;
  /** Statuses the caller handles itself; others become errors. */
  ok: number[];
  /** Words for error messages: "manifest app:1", "blob sha256:…". */
  what: string;
}

export class RegistryClient {
  readonly host: string;
  readonly baseUrl: string;
  private readonly auth: RegistryAuth;
  private readonly fetchFn: FetchFn;
  private readonly signal: AbortSignal | undefined;
  private readonly plainHttp: boolean;

  constructor(opts: RegistryClientOptions) {
    const cfg = opts.config ?? EMPTY_REGISTRIES_CONFIG;
    this.host = opts.host;
    this.baseUrl = registryBaseUrl(opts.host, cfg);
    this.plainHttp = isPlainHttpRegistry(opts.host, cfg);
    this.fetchFn = opts.fetch ?? fetch;
    this.signal = opts.signal;
    this.auth = new RegistryAuth(opts.host, opts.credentials, this.fetchFn);
  }

  /** `GET /v2/`: reachable, speaks the API, and (after a challenge) accepts our credentials. */
  async ping(): Promise<void> {
    const res = await this.request("GET", "/v2/", { scopes: [], ok: [200], what: "the API root /v2/" });
    await res.body?.cancel();
  }

  /** GET a manifest or index by tag or digest, checking its digest against the reference or header. */
  async getManifest(repo: string, ref: string): Promise<RemoteManifest> {
    const res = await this.request("GET", `/v2/${repo}/manifests/${ref}`, {
      scopes: [pullScope(repo)],
      headers: { accept: MANIFEST_ACCEPT },
      ok: [200],
      what: `manifest ${repo}:${ref}`,
    });
    const bytes = Buffer.from(await res.arrayBuffer());
    const digest = sha256(bytes);
    const expected = ref.startsWith("sha256:") ? ref : res.headers.get("docker-content-digest") ?? undefined;
    if (expected !== undefined && expected.startsWith("sha256:") && expected !== digest) {
      throw digestMismatch(`manifest ${repo}:${ref}`, this.host, expected, digest);
    }
    return { bytes, digest, contentType: res.headers.get("content-type") ?? undefined };
  }

  /** HEAD a manifest: its digest when present, undefined on 404. */
  async headManifest(repo: string, ref: string): Promise<string | undefined> {
    const res = await this.request("HEAD", `/v2/${repo}/manifests/${ref}`, {
      scopes: [pullScope(repo)],
      headers: { accept: MANIFEST_ACCEPT },
      ok: [200, 404],
      what: `manifest ${repo}:${ref}`,
    });
    if (res.status === 404) return undefined;
    return res.headers.get("docker-content-digest") ?? undefined;
  }

  /** PUT a manifest's exact bytes under a tag or digest; returns the digest the registry reports. */
  async putManifest(repo: string, ref: string, bytes: Uint8Array, contentType: string): Promise<string> {
    const res = await this.request("PUT", `/v2/${repo}/manifests/${ref}`, {
      scopes: [pushScope(repo)],
      headers: { "content-type": contentType },
      body: bytes,
      ok: [201, 200],
      what: `manifest ${repo}:${ref}`,
    });
    await res.body?.cancel();
    const digest = sha256(bytes);
    const reported = res.headers.get("docker-content-digest");
    if (reported !== null && reported !== digest) throw digestMismatch(`manifest ${repo}:${ref}`, this.host, digest, reported);
    return digest;
  }

  /** HEAD a blob: true when the repository already holds it (so the upload is skipped). */
  async hasBlob(repo: string, digest: string): Promise<boolean> {
    const res = await this.request("HEAD", `/v2/${repo}/blobs/${digest}`, { scopes: [pullScope(repo)], ok: [200, 404], what: `blob ${digest}` });
    return res.status === 200;
  }

  /** GET a blob; redirects to storage are followed. The caller streams and verifies the body. */
  async openBlob(repo: string, digest: string): Promise<Response> {
    return this.request("GET", `/v2/${repo}/blobs/${digest}`, { scopes: [pullScope(repo)], ok: [200], what: `blob ${digest} of ${repo}` });
  }

  /** `POST uploads/?mount=&from=`: 201 when mounted; otherwise the registry opened an upload for us. */
  async mountBlob(repo: string, digest: string, from: string): Promise<MountResult> {
    const q = `?mount=${encodeURIComponent(digest)}&from=${encodeURIComponent(from)}`;
    const res = await this.request("POST", `/v2/${repo}/blobs/uploads/${q}`, {
      scopes: [pushScope(repo), pullScope(from)],
      ok: [201, 202],
      what: `mount of ${digest} from ${from}`,
    });
    await res.body?.cancel();
    if (res.status === 201) return { mounted: true };
    return { mounted: false, location: this.location(res, `mount of ${digest}`) };
  }

  /** `POST uploads/`: opens an upload session and returns its location. */
  async startUpload(repo: string): Promise<string> {
    const res = await this.request("POST", `/v2/${repo}/blobs/uploads/`, { scopes: [pushScope(repo)], ok: [202], what: `upload to ${repo}` });
    await res.body?.cancel();
    return this.location(res, `upload to ${repo}`);
  }

  /** Monolithic `PUT <location>?digest=`: the whole blob in one request. */
  async finishUpload(repo: string, location: string, digest: string, body: Blob | Uint8Array): Promise<void> {
    const url = new URL(location, this.baseUrl);
    url.searchParams.set("digest", digest);
    const res = await this.request("PUT", url.toString(), {
      scopes: [pushScope(repo)],
      // fetch sets Content-Length from the Blob or bytes: registries refuse chunked uploads.
      headers: { "content-type": "application/octet-stream" },
      body,
      ok: [201, 204],
      what: `upload of ${digest}`,
    });
    await res.body?.cancel();
  }

  private location(res: Response, what: string): string {
    const loc = res.headers.get("location");
    if (loc === null) throw registryError("Unavailable", "BAD_RESPONSE", `registry ${this.host} sent no Location for the ${what}`, "the registry does not follow the distribution API; check its version");
    return new URL(loc, this.baseUrl).toString();
  }

  private async request(method: string, pathOrUrl: string, init: RequestInit2): Promise<Response> {
    const url = pathOrUrl.startsWith("/") ? `${this.baseUrl}${pathOrUrl}` : pathOrUrl;
    let retried = false;
    for (;;) {
      const headers: Record<string, string> = { ...init.headers };
      const authz = this.auth.headerFor(init.scopes);
      if (authz !== undefined) headers.authorization = authz;
      let res: Response;
      try {
        res = await this.fetchFn(url, {
          method,
          headers,
          redirect: "follow",
          ...(init.body !== undefined ? { body: init.body } : {}),
          ...(this.signal ? { signal: this.signal } : {}),
        });
      } catch (e) {
        if (this.signal?.aborted) throw e;
        throw this.unreachable(e);
      }
      if (res.status === 401 && !retried) {
        await res.body?.cancel();
        retried = true;
        // Concurrent requests may all meet the first challenge; retry only with a different header.
        if ((await this.auth.answer(res.headers.get("www-authenticate"), init.scopes, authz, this.signal)) && this.auth.headerFor(init.scopes) !== authz) continue;
        throw this.unauthorized(401, init.what);
      }
      if (init.ok.includes(res.status)) return res;
      throw await this.failure(res, init.what);
    }
  }

  private unreachable(e: unknown): Error {
    const why = causeText(e);
    const tls = /SSL|TLS|certificate|EPROTO|wrong version/i.test(why);
    return registryError(
      "Unavailable",
      "UNREACHABLE",
      `cannot reach registry ${this.host} at ${this.baseUrl}: ${why}`,
      tls && !this.plainHttp
        ? `if ${this.host} serves plain HTTP, list it under "insecure-registries" in the engine settings (docs/engine-config.md)`
        : `check the host and port, and that the registry is running`,
      e,
    );
  }

  private unauthorized(status: number, what: string): Error {
    return registryError(
      "Invalid",
      status === 403 ? "DENIED" : "UNAUTHORIZED",
      status === 403 ? `registry ${this.host} denied access to ${what} (HTTP 403)` : `registry ${this.host} requires authentication for ${what} (HTTP 401)`,
      status === 403 ? `check that your user may access this repository, then \`infra login ${this.host}\`` : `run \`infra login ${this.host}\``,
    );
  }

  private async failure(res: Response, what: string): Promise<Error> {
    const text = await res.text().catch(() => "");
    const codes = registryErrorCodes(text);
    if (res.status === 401 || res.status === 403) return this.unauthorized(res.status, what);
    if (res.status === 404) {
      const repoMissing = codes.includes("NAME_UNKNOWN");
      return registryError(
        "NotFound",
        "NOT_FOUND",
        `${what} not found on registry ${this.host}${repoMissing ? " (no such repository)" : ""}`,
        "check the repository name and tag; names are case-sensitive and tags default to latest",
      );
    }
    const detail = codes.length > 0 ? ` (${codes.join(", ")})` : text ? `: ${text.slice(0, 200).trim()}` : "";
    const category = res.status >= 500 || res.status === 429 ? "Unavailable" : "Invalid";
    return registryError(category, "HTTP_ERROR", `registry ${this.host} answered HTTP ${res.status} for ${what}${detail}`, category === "Unavailable" ? "try again later" : undefined);
  }

  /** True once the registry asked for bearer tokens. */
  get usesBearer(): boolean {
    return this.auth.usesBearer;
  }
}

export function pullScope(repo: string): string {
  return `repository:${repo}:pull`;
}

export function pushScope(repo: string): string {
  return `repository:${repo}:pull,push`;
}

/** The `errors[].code` values of a distribution error body. Pure. */
export function registryErrorCodes(body: string): string[] {
  try {
    const doc = JSON.parse(body) as { errors?: Array<{ code?: unknown }> };
    return (doc.errors ?? []).map((e) => e.code).filter((c): c is string => typeof c === "string");
  } catch {
    return [];
  }
}

export function digestMismatch(what: string, host: string, expected: string, actual: string): Error {
  return registryError(
    "Invalid",
    "DIGEST_MISMATCH",
    `${what} from ${host} has digest ${actual}, expected ${expected}; nothing was stored`,
    "the registry or a proxy altered the content; try again, and if it persists check the registry's storage",
  );
}
