/** The CLI's and the provider's side of the engine API. Failures come back as ProviderErrors. */
import { request } from "node:http";
import { StringDecoder } from "node:string_decoder";
import { ProviderError, type FailureCategory } from "../../contract.js";
import { needsRoot } from "../host/needs-root.js";

export class EngineClient {
  constructor(readonly socketPath: string) {}

  call<T>(method: string, path: string, body?: unknown, timeoutMs = 0): Promise<T> {
    return new Promise((resolve, reject) => {
      const data = body === undefined ? undefined : JSON.stringify(body);
      const req = request({ socketPath: this.socketPath, method, path, headers: data ? { "content-type": "application/json", "content-length": Buffer.byteLength(data) } : {} }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          let parsed: unknown;
          try {
            parsed = JSON.parse(Buffer.concat(chunks).toString("utf8"));
          } catch {
            return reject(new ProviderError("Internal", "INFRA_RUNTIME_BAD_RESPONSE", `engine sent a response that is not JSON (${method} ${path})`));
          }
          const err = (parsed as { error?: { category: FailureCategory; code: string; message: string; hint?: string } } | null)?.error;
          if ((res.statusCode ?? 500) >= 400 && err) reject(new ProviderError(err.category, err.code, err.message, err.hint !== undefined ? { hint: err.hint } : {}));
          else resolve(parsed as T);
        });
      });
      if (timeoutMs > 0) req.setTimeout(timeoutMs, () => req.destroy(new Error("timeout")));
      req.on("error", (e) => reject(unreachable(this.socketPath, e)));
      req.end(data);
    });
  }

  /**
   * Streams NDJSON records (logs -f, run) to `onItem` until the engine ends the response. A
   * record that is only `{ error }` (the engine failed mid-stream) rejects, unless the caller
   * reads errors itself (`errorsAsItems`, as `run` does with its event stream). An abort of
   * `signal` (Ctrl-C, SIGTERM) closes the connection and resolves: the caller asked to stop.
   */
  stream(path: string, onItem: (item: unknown) => void, opts: { method?: string; body?: unknown; errorsAsItems?: boolean; signal?: AbortSignal } = {}): Promise<void> {
    return new Promise((resolve, reject) => {
      if (opts.signal?.aborted) return resolve();
      const method = opts.method ?? "GET";
      const data = opts.body === undefined ? undefined : JSON.stringify(opts.body);
      const headers = data ? { "content-type": "application/json", "content-length": Buffer.byteLength(data) } : {};
      const req = request({ socketPath: this.socketPath, method, path, headers }, (res) => {
        if ((res.statusCode ?? 500) >= 400) {
          // An error before streaming began (no such container): one JSON error body.
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => {
            const err = (() => { try { return (JSON.parse(Buffer.concat(chunks).toString("utf8")) as { error?: { category: FailureCategory; code: string; message: string; hint?: string } }).error; } catch { return undefined; } })();
            reject(new ProviderError(err?.category ?? "Internal", err?.code ?? "INFRA_RUNTIME_BAD_RESPONSE", err?.message ?? `engine answered ${res.statusCode} to ${method} ${path}`, err?.hint !== undefined ? { hint: err.hint } : {}));
          });
          return;
        }
        let buf = "";
        const utf8 = new StringDecoder("utf8"); // a character split between chunks stays whole
        res.on("data", (c: Buffer) => {
          buf += utf8.write(c);
          let nl: number;
          while ((nl = buf.indexOf("\n")) >= 0) {
            const line = buf.slice(0, nl);
            buf = buf.slice(nl + 1);
            if (!line.trim()) continue;
            const item = JSON.parse(line) as unknown;
            const err = opts.errorsAsItems ? undefined : streamError(item);
            if (err) {
              res.destroy();
              reject(err);
              return;
            }
            onItem(item);
          }
        });
        res.on("end", () => resolve());
      });
      req.on("error", (e) => (opts.signal?.aborted ? resolve() : reject(unreachable(this.socketPath, e))));
      if (opts.signal) {
        if (opts.signal.aborted) { req.destroy(); return resolve(); }
        const onAbort = () => { req.destroy(); resolve(); };
        opts.signal.addEventListener("abort", onAbort, { once: true });
        req.on("close", () => opts.signal?.removeEventListener("abort", onAbort));
      }
      req.end(data);
    });
  }

  async ping(): Promise<boolean> {
    try {
      await this.call("GET", "/ping", undefined, 2000);
      return true;
    } catch {
      return false;
    }
  }
}

/** The error of a `{ error }` record that ends a failed stream. */
function streamError(item: unknown): ProviderError | undefined {
  if (typeof item !== "object" || item === null || Object.keys(item).length !== 1 || !("error" in item)) return undefined;
  const e = (item as { error: { category?: FailureCategory; code?: string; message?: string; hint?: string } }).error;
  if (typeof e !== "object" || e === null || typeof e.message !== "string") return undefined;
  return new ProviderError(e.category ?? "Internal", e.code ?? "INFRA_RUNTIME_STREAM_FAILED", e.message, e.hint !== undefined ? { hint: e.hint } : {});
}

/** A socket we may not connect to is root's (the engine's socket is 0600): say so. */
function unreachable(socketPath: string, e: NodeJS.ErrnoException): ProviderError {
  if (e.code === "EACCES" || e.code === "EPERM") return needsRoot(`to reach the engine at ${socketPath}`, e);
  return new ProviderError("Unavailable", "INFRA_RUNTIME_ENGINE_DOWN", `cannot reach the engine at ${socketPath}: ${e.message}`, { hint: "start it with `infra engine`", cause: e });
}
