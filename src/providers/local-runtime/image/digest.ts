/** sha256 digests in the OCI form `sha256:<hex>`. */
import { createHash } from "node:crypto";
import { runtimeError } from "../runtime-error.js";

export function sha256(data: Uint8Array | string): string {
  return `sha256:${createHash("sha256").update(data).digest("hex")}`;
}

export function digestHex(digest: string): string {
  const m = /^sha256:([0-9a-f]{64})$/.exec(digest);
  if (!m) throw runtimeError("Invalid", "BAD_DIGEST", `'${digest}' is not a sha256 digest`, "digests look like sha256:<64 hex digits>");
  return m[1]!;
}

/** ChainID per the OCI image spec: chain(n) = sha256(chain(n-1) + " " + diffid(n)). */
export function chainIds(diffIds: readonly string[]): string[] {
  const out: string[] = [];
  for (const d of diffIds) {
    const prev = out[out.length - 1];
    out.push(prev === undefined ? d : sha256(`${prev} ${d}`));
  }
  return out;
}
