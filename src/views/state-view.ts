/** One recorded resource for `infra state show`: id, inputs and outputs, secrets hidden. */
import type { Value } from "../graph/value.js";
import type { ResourceState } from "../state/state-types.js";
import { alignKeys, valueLines } from "./diff-lines.js";
import { renderLine } from "./render-lines.js";
import { splitAddress } from "./resource-block.js";
import { makeStyle, type Style } from "./style.js";

export function renderResourceState(r: ResourceState, opts: { color: boolean }): string {
  const style = makeStyle(opts.color);
  const { name } = splitAddress(r.address, r.type);
  const out = [
    style.bold(`# ${r.address}:`),
    `resource ${JSON.stringify(r.type)} ${JSON.stringify(name)} {`,
    ...group({ id: r.id, provider: r.provider, ...r.props }, style),
  ];
  if (Object.keys(r.outputs).length > 0) out.push("", style.dim("    # outputs"), ...group(r.outputs, style));
  out.push("}");
  if (r.dependencies.length > 0) out.push(style.dim(`# depends on: ${r.dependencies.join(", ")}`));
  return out.join("\n") + "\n";
}

/** Attribute lines four spaces in (a diff line's symbol column removed). */
function group(obj: Record<string, Value>, style: Style): string[] {
  const keys = Object.keys(obj).sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
  const lines = alignKeys(keys.map((k) => valueLines(k, obj[k] as Value, " ", 1, "")));
  return lines.map((l) => renderLine(l, style).slice(4));
}

/** id and provider first, then the rest by name. */
function rank(k: string): number {
  return k === "id" ? 0 : k === "provider" ? 1 : 2;
}
