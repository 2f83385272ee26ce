/** Interpolates every string value of a parsed compose file in place (keys are left alone, as compose does). */
import { errorDiag, type Diagnostic } from "../diag/diagnostic.js";
import { interpolate } from "./interpolate.js";
import { locationOf } from "./source-map.js";

export function interpolateTree(root: unknown, env: Readonly<Record<string, string | undefined>>, file: string, diagnostics: Diagnostic[]): void {
  const visit = (node: unknown, path: string): void => {
    if (typeof node !== "object" || node === null) return;
    const entries: Array<[string | number, unknown]> = Array.isArray(node) ? node.map((v, i) => [i, v]) : Object.entries(node);
    for (const [k, v] of entries) {
      const p = typeof k === "number" ? `${path}[${k}]` : path ? `${path}.${k}` : k;
      if (typeof v === "string") {
        const r = interpolate(v, env);
        if (r.ok) (node as Record<string | number, unknown>)[k] = r.value;
        else {
          diagnostics.push(
            errorDiag("INFRA_COMPOSE_INTERPOLATION", `${p}: ${r.message}`, {
              attribute: p,
              value: v,
              location: locationOf(node, k) ?? { file, line: 1, column: 1 },
              hint: r.variable ? `Set ${r.variable} in the environment or in the .env file beside the compose file.` : 'Write "$$" for a literal dollar sign.',
            }),
          );
        }
      } else visit(v, p);
    }
  };
  visit(root, "");
}
