/** Reading and writing the state file's JSON; a corrupt or newer file is refused, never repaired. */
import { InfraError } from "../diag/infra-error.js";
import { STATE_FORMAT_VERSION, type StateFile } from "./state-types.js";

function corrupt(path: string, why: string): InfraError {
  return new InfraError("INFRA_STATE_CORRUPT", `The state file ${path} is corrupt`, {
    detail: why,
    hint: `It was left untouched. Restore it from ${path}.backup or from version control, then run the command again.`,
  });
}

export function parseState(text: string, path: string): StateFile {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw corrupt(path, `Not valid JSON: ${(e as Error).message}`);
  }
  if (typeof v !== "object" || v === null || Array.isArray(v)) throw corrupt(path, "The top level is not an object.");
  const o = v as Record<string, unknown>;
  if (typeof o.formatVersion !== "number") throw corrupt(path, "formatVersion is missing.");
  if (o.formatVersion > STATE_FORMAT_VERSION) {
    throw new InfraError("INFRA_STATE_TOO_NEW", `The state file ${path} was written by a newer infra (format ${o.formatVersion})`, {
      detail: `This build reads state format ${STATE_FORMAT_VERSION} and older; the file was left untouched.`,
      hint: `Upgrade infra (the file was last written by infra ${typeof o.infraVersion === "string" ? o.infraVersion : "unknown"}).`,
    });
  }
  if (typeof o.lineage !== "string" || o.lineage === "") throw corrupt(path, "lineage is missing.");
  if (typeof o.serial !== "number" || !Number.isInteger(o.serial) || o.serial < 0) throw corrupt(path, "serial is not a non-negative integer.");
  if (typeof o.stack !== "string") throw corrupt(path, "stack is missing.");
  if (!Array.isArray(o.resources)) throw corrupt(path, "resources is not a list.");
  if (typeof o.outputs !== "object" || o.outputs === null || Array.isArray(o.outputs)) throw corrupt(path, "outputs is not an object.");
  o.resources.forEach((r: unknown, i: number) => checkObject(path, `resources[${i}]`, r));
  if (o.deposed !== undefined) {
    if (!Array.isArray(o.deposed)) throw corrupt(path, "deposed is not a list.");
    o.deposed.forEach((r: unknown, i: number) => checkObject(path, `deposed[${i}]`, r));
  }
  if (o.released !== undefined) {
    if (!Array.isArray(o.released)) throw corrupt(path, "released is not a list.");
    o.released.forEach((r: unknown, i: number) => {
      const x = r as Record<string, unknown> | null;
      if (typeof x !== "object" || x === null || typeof x.address !== "string" || typeof x.type !== "string" || typeof x.provider !== "string" || typeof x.id !== "string") {
        throw corrupt(path, `released[${i}] lacks address, type, provider or id.`);
      }
    });
  }
  return v as StateFile;
}

/** The fields every recorded object (current or deposed) must have. */
function checkObject(path: string, where: string, r: unknown): void {
  const x = r as Record<string, unknown> | null;
  if (typeof x !== "object" || x === null || typeof x.address !== "string" || typeof x.type !== "string" || typeof x.provider !== "string" || typeof x.id !== "string") {
    throw corrupt(path, `${where} lacks address, type, provider or id.`);
  }
  if (typeof x.props !== "object" || x.props === null || typeof x.outputs !== "object" || x.outputs === null || !Array.isArray(x.dependencies)) {
    throw corrupt(path, `${where} (${x.address}) lacks props, outputs or dependencies.`);
  }
}

export function serializeState(state: StateFile): string {
  return JSON.stringify(state, null, 2) + "\n";
}
