/** Stack outputs as `name = value` lines (`infra output`, and after apply); secrets hidden. */
import type { Value } from "../graph/value.js";
import { alignKeys, valueLines } from "./diff-lines.js";
import { renderLine } from "./render-lines.js";
import { makeStyle } from "./style.js";

export function renderOutputs(outputs: Record<string, Value>, opts: { color: boolean }): string {
  const style = makeStyle(opts.color);
  const names = Object.keys(outputs).sort();
  const lines = alignKeys(names.map((n) => valueLines(n, outputs[n] as Value, " ", 0, "")));
  // Depth 0 with no symbol: strip the indentation a diff line would have.
  return lines.map((l) => renderLine(l, style).slice(4)).join("\n") + (lines.length > 0 ? "\n" : "");
}
