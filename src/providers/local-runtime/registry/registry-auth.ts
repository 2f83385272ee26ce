/**
 * Answers a registry's 401 challenge: Basic with stored credentials, or the token flow
 * (`GET realm?service=&scope=`, Basic to the realm when credentials exist) with tokens cached per
 * scope until they expire. Anonymous access needs no credentials at all.
 */
import type { Credentials } from "./credentials.js";
import { registryError } from "./registry-error.js";
import { parseWwwAuthenticate, type AuthChallenge } from "./www-authenticate.js";

interface CachedToken {
  token: string;
  expiresAt: number;
}

export type FetchFn = typeof fetch;

export class RegistryAuth {
  private mode: "none" | "basic" | "bearer" = "none";
  private bearer: AuthChallenge | undefined;
  private readonly tokens = new Map<string, CachedToken>();
  private readonly pending = new Map<string, Promise<CachedToken>>();

  constructor(
    private readonly host: string,
    private readonly credentials: Credentials | undefined,
    private readonly fetchFn: FetchFn,
    private readonly now: () => number = Date.now,
  ) {}

  /** The Authorization header for a request needing `scopes`, when one is known. */
  headerFor(scopes: readonly string[]): string | undefined {
    if (this.mode === "basic" && this.credentials) return basicHeader(this.credentials);
    if (this.mode === "bearer") {
      const t = this.tokens.get(scopeKey(scopes));
      if (t && t.expiresAt > this.now()) return `Bearer ${t.token}`;
    }
    return undefined;
  }

  /**
   * Called on a 401 to a request sent with `sent` (its Authorization header, if any). Returns true
   * when a retry may now succeed (another token, or credentials not sent before); false when
   * nothing new can be offered. Callers retry at most once.
   */
  async answer(wwwAuthenticate: string | null, scopes: readonly string[], sent: string | undefined, signal?: AbortSignal): Promise<boolean> {
    const challenges = parseWwwAuthenticate(wwwAuthenticate ?? "");
    const bearer = challenges.find((c) => c.scheme === "bearer");
    if (bearer?.params.realm) {
      this.mode = "bearer";
      this.bearer = bearer;
      const key = scopeKey(scopes);
      // Requests sent in parallel meet the same challenge: one token fetch serves them all.
      const current = this.headerFor(scopes);
      if (current !== undefined && current !== sent) return true;
      let pending = this.pending.get(key);
      if (pending === undefined) {
        const wanted = new Set(scopes);
        if (bearer.params.scope) for (const s of bearer.params.scope.split(" ")) if (s) wanted.add(s);
        pending = this.fetchToken(bearer, [...wanted], signal).finally(() => this.pending.delete(key));
        this.pending.set(key, pending);
      }
      this.tokens.set(key, await pending);
      return true;
    }
    if (challenges.some((c) => c.scheme === "basic") || challenges.length === 0) {
      if (!this.credentials) return false;
      this.mode = "basic";
      return true;
    }
    return false;
  }

  private async fetchToken(ch: AuthChallenge, scopes: string[], signal?: AbortSignal): Promise<CachedToken> {
    const realm = ch.params.realm!;
    let url: URL;
    try {
      url = new URL(realm);
    } catch {
      throw registryError("Invalid", "BAD_CHALLENGE", `registry ${this.host} named an invalid token realm '${realm}'`);
    }
    if (ch.params.service) url.searchParams.set("service", ch.params.service);
    for (const s of scopes) url.searchParams.append("scope", s);
    const headers: Record<string, string> = {};
    if (this.credentials) headers.authorization = basicHeader(this.credentials);
    let res: Response;
    try {
      res = await this.fetchFn(url, { headers, ...(signal ? { signal } : {}) });
    } catch (e) {
      throw registryError("Unavailable", "UNREACHABLE", `cannot reach the token service ${url.origin} of registry ${this.host}: ${causeText(e)}`, "check that the registry's auth server is running and reachable", e);
    }
    if (res.status === 401 || res.status === 403) {
      await res.body?.cancel();
      throw registryError("Invalid", "UNAUTHORIZED", `the token service of ${this.host} refused ${this.credentials ? `user '${this.credentials.username}'` : "anonymous access"} (HTTP ${res.status})`, `run \`infra login ${this.host}\` with valid credentials`);
    }
    if (!res.ok) {
      await res.body?.cancel();
      throw registryError("Unavailable", "TOKEN_FAILED", `the token service of ${this.host} answered HTTP ${res.status}`, "try again; if it persists, check the registry's auth server");
    }
    const body = (await res.json().catch(() => ({}))) as { token?: string; access_token?: string; expires_in?: number; issued_at?: string };
    const token = body.token ?? body.access_token;
    if (typeof token !== "string" || token === "") throw registryError("Unavailable", "TOKEN_FAILED", `the token service of ${this.host} returned no token`);
    // Spec: expires_in defaults to 60 s; keep a margin so that a token never expires mid-request.
    const ttl = typeof body.expires_in === "number" && body.expires_in > 0 ? body.expires_in : 60;
    return { token, expiresAt: this.now() + Math.max(1, ttl - 10) * 1000 };
  }

  /** True once the registry has asked for a token (for tests and reporting). */
  get usesBearer(): boolean {
    return this.bearer !== undefined;
  }
}

function basicHeader(c: Credentials): string {
  return `Basic ${Buffer.from(`${c.username}:${c.password}`).toString("base64")}`;
}

function scopeKey(scopes: readonly string[]): string {
  return [...scopes].sort().join(" ");
}

export function causeText(e: unknown): string {
  const err = e as { cause?: { code?: string; message?: string }; message?: string };
  return err.cause?.code ?? err.cause?.message ?? err.message ?? String(e);
}
