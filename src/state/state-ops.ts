/**
 * Pure state surgery for `infra state list|show|rm|mv`. Each change returns a new state with
 * the serial incremented, ready to write; the input is not modified.
 */
import { InfraError } from "../diag/infra-error.js";
import { removeDeposed } from "./deposed-objects.js";
import { addReleased } from "./released-objects.js";
import type { ResourceState, StateFile } from "./state-types.js";

function notFound(address: string, state: StateFile | undefined): InfraError {
  const known = (state?.resources ?? []).map((r) => r.address).sort();
  return new InfraError("INFRA_STATE_UNKNOWN_ADDRESS", `No resource ${address} in the state`, {
    detail: known.length === 0 ? "The state records no resources." : `Recorded: ${known.slice(0, 20).join(", ")}${known.length > 20 ? ", ..." : ""}`,
    hint: "Run `infra state list` to see recorded addresses.",
  });
}

export function listResources(state: StateFile | undefined): Array<Pick<ResourceState, "address" | "type" | "provider" | "id">> {
  return (state?.resources ?? [])
    .map((r) => ({ address: r.address, type: r.type, provider: r.provider, id: r.id }))
    .sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
}

export function showResource(state: StateFile | undefined, address: string): ResourceState {
  const r = state?.resources.find((x) => x.address === address);
  if (state === undefined || r === undefined) throw notFound(address, state);
  return structuredClone(r);
}

/** Forgets a resource (and objects its replacements deposed): the real objects stay, infra no longer manages them. */
export function removeResource(state: StateFile, address: string): StateFile {
  if (!state.resources.some((r) => r.address === address)) throw notFound(address, state);
  const next = structuredClone(state);
  next.serial += 1;
  next.resources = next.resources.filter((r) => r.address !== address);
  for (const d of state.deposed ?? []) if (d.address === address) removeDeposed(next, address, d.id);
  // Still labelled with the stack: without this record the next plan would adopt them again.
  addReleased(next, [...state.resources, ...(state.deposed ?? [])].filter((r) => r.address === address));
  return next;
}

/** Renames an address (e.g. after renaming a resource in the stack), keeping the real object. */
export function moveResource(state: StateFile, from: string, to: string): StateFile {
  const r = state.resources.find((x) => x.address === from);
  if (r === undefined) throw notFound(from, state);
  if (state.resources.some((x) => x.address === to)) {
    throw new InfraError("INFRA_STATE_DUPLICATE_ADDRESS", `The state already has a resource ${to}`, {
      hint: `Remove or move ${to} first (\`infra state rm ${to}\`).`,
    });
  }
  const [toType] = to.split(".", 1);
  if (toType !== r.type || !to.includes(".")) {
    throw new InfraError("INFRA_STATE_BAD_ADDRESS", `Cannot move ${from} to ${to}: the address must be "${r.type}.NAME"`, {
      hint: "A move keeps the resource's type; only the name part may change.",
    });
  }
  const next = structuredClone(state);
  next.serial += 1;
  for (const x of [...next.resources, ...(next.deposed ?? [])]) {
    if (x.address === from) x.address = to;
    x.dependencies = x.dependencies.map((d) => (d === from ? to : d)).sort();
  }
  return next;
}
