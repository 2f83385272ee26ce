/**
 * Named points where a test makes the engine die as kill -9 would (SIGKILL to itself), to prove
 * that the next engine repairs what each point leaves. Off unless `INFRA_TEST_FAULT` names the
 * point (`INFRA_TEST_FAULT=point` or `point@subject`, a list separated by commas); read once, at the
 * first point passed.
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

/** What `INFRA_TEST_FAULT` asks for: `point` or `point@subject` (a network, container or volume name), comma-separated. */
let armed: Array<{ point: string; subject?: string }> | undefined;

/** Dies here, at once and without clean-up, when the test asked for this point (and this subject). */
export function faultPoint(name: FaultPoint, subject?: string): void {
  armed ??= (process.env.INFRA_TEST_FAULT ?? "").split(",").map((s) => s.trim()).filter(Boolean).map((s) => {
    const at = s.indexOf("@");
    return at < 0 ? { point: s } : { point: s.slice(0, at), subject: s.slice(at + 1) };
  });
  if (armed.some((a) => a.point === name && (a.subject === undefined || a.subject === subject))) process.kill(process.pid, "SIGKILL");
}
