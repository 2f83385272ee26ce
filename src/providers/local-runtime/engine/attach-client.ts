/** The CLI side of an attach session: an HTTP upgrade on the engine socket, then frames both ways. */
import { request } from "node:http";
import type { Duplex } from "node:stream";
import { ProviderError, type FailureCategory } from "../../contract.js";
import { ATTACH_UPGRADE } from "./attach-protocol.js";

export function openAttach(socketPath: string, path: string): Promise<{ socket: Duplex; head: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, method: "POST", path, headers: { Connection: "Upgrade", Upgrade: ATTACH_UPGRADE } });
    req.on("upgrade", (_res, socket, head) => resolve({ socket, head }));
    req.on("response", (res) => {
      res.resume();
      reject(new ProviderError("Internal", "INFRA_RUNTIME_ATTACH_REFUSED", `engine refused the attach session (HTTP ${res.statusCode})`));
    });
    req.on("error", (e) => reject(new ProviderError("Unavailable", "INFRA_RUNTIME_ENGINE_DOWN", `cannot reach the engine at ${socketPath}: ${e.message}`, { cause: e })));
    req.end();
  });
}

export function attachError(payload: Buffer): ProviderError {
  try {
    const e = JSON.parse(payload.toString("utf8")) as { category: FailureCategory; code: string; message: string; hint?: string };
    return new ProviderError(e.category, e.code, e.message, e.hint !== undefined ? { hint: e.hint } : {});
  } catch {
    return new ProviderError("Internal", "INFRA_RUNTIME_ATTACH_FAILED", payload.toString("utf8"));
  }
}
