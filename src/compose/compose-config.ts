/**
 * Renders the project as a compose file, the way `docker compose config` does: the Compose
 * Specification's keys, sorted, as YAML or JSON. The YAML is written with YAML 1.1's quoting so
 * that readers on either YAML version (docker-compose 1.x reads 1.1) see the same strings: `no`,
 * `on`, `0755` or `22:22` stay strings. Pure.
 */
import { Scalar, stringify } from "yaml";
import { composeDocument, FileMode } from "./compose-document.js";
import type { ComposeProject } from "./compose-model.js";

/** Keys sorted; file modes as octal (a YAML octal number, or a string in JSON). */
function sortKeys(v: unknown, format: "yaml" | "json"): unknown {
  if (v instanceof FileMode) {
    if (format === "json") return v.octal;
    const s = new Scalar(v.value);
    s.format = "OCT";
    return s;
  }
  if (Array.isArray(v)) return v.map((x) => sortKeys(x, format));
  if (typeof v === "object" && v !== null) {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) {
      const x = (v as Record<string, unknown>)[k];
      if (x !== undefined) out[k] = sortKeys(x, format);
    }
    return out;
  }
  return v;
}

export function renderComposeConfig(project: ComposeProject, format: "yaml" | "json"): string {
  const sorted = sortKeys(composeDocument(project), format);
  return format === "json" ? JSON.stringify(sorted, null, 2) + "\n" : stringify(sorted, { lineWidth: 0, version: "1.1" });
}
