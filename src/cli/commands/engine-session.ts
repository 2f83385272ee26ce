/** The engine client for engine commands, honouring INFRA_ROOT / INFRA_RUN from the command's env. */
import type { EngineClient } from "../../providers/local-runtime/engine/engine-client.js";
import { ensureEngine } from "../../providers/local-runtime/engine/ensure-engine.js";

export function engineFor(env: NodeJS.ProcessEnv): Promise<EngineClient> {
  const o: { root?: string; run?: string } = {};
  if (env.INFRA_ROOT) o.root = env.INFRA_ROOT;
  if (env.INFRA_RUN) o.run = env.INFRA_RUN;
  return ensureEngine(o);
}
