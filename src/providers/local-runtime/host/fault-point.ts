/**
 * Named points where a test makes the engine die as kill -9 would (SIGKILL to itself), to prove
 * that the next engine repairs what each point leaves. Off unless `INFRA_TEST_FAULT` names the
 * point; the variable is read once, at the first point passed.
 */
export const FAULT_POINTS = [
  /** A network's record is durable as "creating"; no bridge yet. */
  "network-create:recorded",
  /** The bridge exists; the record still says "creating". */
  "network-create:bridge",
  /** A container's links and port elements exist; its network state is not saved. */
  "network-setup:links",
  /** A start's root filesystem and network are set up; no monitor yet. */
  "container-start:prepared",
  /** The monitor runs the container; the record still says "starting". */
  "container-start:monitor",
  /** A removal has cleaned up after the exit; the directory and record are still there. */
  "container-remove:cleaned",
  /** A volume's directory exists; its metadata does not. */
  "volume-create:dir",
] as const;

export type FaultPoint = (typeof FAULT_POINTS)[number];

let armed: string | undefined | null = null;

/** Dies here, at once and without clean-up, when the test asked for this point. */
export function faultPoint(name: FaultPoint): void {
  if (armed === null) armed = process.env.INFRA_TEST_FAULT?.trim() || undefined;
  if (armed === name) process.kill(process.pid, "SIGKILL");
}
