/** Renders the normalised model the way `docker compose config` does: keys sorted, YAML or JSON. Pure. */
import { stringify } from "yaml";
import type { ComposeProject } from "./compose-model.js";

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (typeof v === "object" && v !== null) {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) {
      const x = (v as Record<string, unknown>)[k];
      if (x !== undefined) out[k] = sortKeys(x);
    }
    return out;
  }
  return v;
}

export function renderComposeConfig(project: ComposeProject, format: "yaml" | "json"): string {
  // `files` and `working_dir` say where the model came from; docker compose prints only the model.
  const { files: _f, working_dir: _w, ...model } = project;
  const sorted = sortKeys({ ...model, name: project.name });
  return format === "json" ? JSON.stringify(sorted, null, 2) + "\n" : stringify(sorted, { lineWidth: 0 });
}
