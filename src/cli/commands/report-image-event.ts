/**
 * Tells a running engine about an image change this CLI process made on the store (pull, tag,
 * load, import), so that `infra events` shows it. No engine running: nobody is listening, and
 * none is started for this.
 */
import { existsSync } from "node:fs";
import { EngineClient } from "../../providers/local-runtime/engine/engine-client.js";
import type { ReportedImageAction } from "../../providers/local-runtime/engine/engine-events.js";
import { resolveLayout } from "../../providers/local-runtime/layout.js";

export async function reportImageEvent(env: NodeJS.ProcessEnv, action: ReportedImageAction, id: string, names: readonly string[]): Promise<void> {
  const socket = resolveLayout({}, env).engineSocket;
  if (!existsSync(socket)) return;
  const engine = new EngineClient(socket);
  for (const name of names) {
    // The change is made already; an engine that cannot take the report (stopping, an older one)
    // only means the event is not shown.
    await engine.call("POST", "/events", { action, id, name }, 2000).catch(() => undefined);
  }
}
