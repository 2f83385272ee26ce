/**
 * One line on the engine's stderr per repair made at start (ensure-engine sends it to
 * `<run>/engine.log`): nothing the engine removes or adopts behind the user's back is silent.
 */
export function logRepair(area: string, what: string): void {
  process.stderr.write(`infra engine: repair ${area}: ${what}\n`);
}
