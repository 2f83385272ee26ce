/** `run`/`create --pull missing|always|never` (Docker's), and the lines a pull prints on stderr. */
import type { PullEvent } from "../../providers/local-runtime/engine/engine-pull.js";
import { isPullPolicy, type PullPolicy } from "../../providers/local-runtime/registry/resolve-image.js";
import { usageError, type ParsedFlags } from "../parse-flags.js";
import { renderBlobProgress } from "./pull.js";

export function pullPolicyFlag(f: ParsedFlags, cmd: string): PullPolicy | undefined {
  const v = f.strings.pull;
  if (v === undefined) return undefined;
  if (!isPullPolicy(v)) throw usageError("INFRA_CLI_FLAG_VALUE_INVALID", `Flag --pull takes missing, always or never, not "${v}"`, cmd);
  return v;
}

/** As Docker prints them: the name pulled, a line per finished blob, the digest. Pure. */
export function renderPullEvent(e: PullEvent): string | undefined {
  if ("pulling" in e) return `Pulling ${e.pulling}...\n`;
  if ("blob" in e) return renderBlobProgress(e.blob);
  return `Digest: ${e.pulled.digest}\nStatus: pulled ${e.pulled.name}\n`;
}
