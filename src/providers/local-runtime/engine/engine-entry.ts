/**
 * Runs the engine in this process until SIGTERM/SIGINT. Used by `infra engine` and started
 * directly by tests (`node engine-entry.js`). Containers keep running when it stops.
 */
import { startEngine, type StartEngineOptions } from "./engine-server.js";

export async function runEngineForever(opts: Pick<StartEngineOptions, "root" | "run" | "runArgv"> = {}): Promise<void> {
  const engine = await startEngine(opts);
  await new Promise<void>((resolve) => {
    const stop = () => { void engine.close().then(resolve); };
    process.once("SIGTERM", stop);
    process.once("SIGINT", stop);
  });
}

if (process.argv[1] && /engine-entry\.(js|ts)$/.test(process.argv[1])) {
  runEngineForever().then(() => process.exit(0), (e: unknown) => {
    process.stderr.write(`infra engine: ${(e as Error).message}\n`);
    process.exit(1);
  });
}
