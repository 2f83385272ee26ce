/**
 * Recorded state for `infra state list` and `infra state show`: ids, inputs and outputs, secrets
 * hidden, and the deposed objects (left over from partially-failed replacements) beside them.
 */
import type { Value } from "../graph/value.js";
import type { DeposedObject, ResourceState } from "../state/state-types.js";
import { objectLabel } from "./deposed-object.js";
import { alignKeys, valueLines } from "./diff-lines.js";
import { renderLine } from "./render-lines.js";
import { splitAddress } from "./resource-block.js";
import { makeStyle, type Style } from "./style.js";

export function renderResourceState(r: ResourceState, opts: { color: boolean }): string {
  const style = makeStyle(opts.color);
  const out = block(style.bold(`# ${r.address}:`), r, style);
  if (r.dependencies.length > 0) out.push(style.dim(`# depends on: ${r.dependencies.join(", ")}`));
  return out.join("\n") + "\n";
}

/** A deposed object as `state show` prints it, with when it was deposed and what happens to it. */
export function renderDeposedObject(d: DeposedObject, opts: { color: boolean }): string {
  const style = makeStyle(opts.color);
  const out = block(style.bold(`# ${objectLabel(d.address, d.id)}:`), d, style);
  out.push(style.dim(`# left over from a partially-failed replacement (deposed ${d.deposedAt}); the next \`infra apply\` destroys it`));
  if (d.dependencies.length > 0) out.push(style.dim(`# depends on: ${d.dependencies.join(", ")}`));
  return out.join("\n") + "\n";
}

export interface StateListRow {
  address: string;
  provider: string;
  id: string;
}

/**
 * `ADDRESS  PROVIDER  ID`, one line per address, in columns; an address with deposed objects
 * ends with `(N deposed)`, and one with only deposed objects shows `-` as its id.
 */
export function renderStateList(rows: readonly StateListRow[], deposed: ReadonlyArray<Pick<DeposedObject, "address" | "provider">>): string {
  const count = new Map<string, number>();
  for (const d of deposed) count.set(d.address, (count.get(d.address) ?? 0) + 1);
  const lines: Array<{ address: string; cells: string[] }> = rows.map((r) => ({ address: r.address, cells: [r.address, r.provider, r.id] }));
  const current = new Set(rows.map((r) => r.address));
  for (const d of deposed) {
    if (current.has(d.address)) continue;
    current.add(d.address);
    lines.push({ address: d.address, cells: [d.address, d.provider, "-"] });
  }
  for (const l of lines) {
    const n = count.get(l.address);
    if (n !== undefined) l.cells.push(`(${n} deposed)`);
  }
  lines.sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
  const widths = [0, 1, 2].map((i) => Math.max(0, ...lines.map((l) => l.cells[i]?.length ?? 0)));
  // Every cell but a line's last is padded to its column, so that no line ends in spaces.
  return lines.map((l) => l.cells.map((c, i) => (i === l.cells.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join("  ") + "\n").join("");
}

/** `resource "TYPE" "NAME" { ... }` with id and provider first, outputs after a comment. */
function block(header: string, r: Pick<ResourceState, "address" | "type" | "provider" | "id" | "props" | "outputs">, style: Style): string[] {
  const { name } = splitAddress(r.address, r.type);
  const out = [header, `resource ${JSON.stringify(r.type)} ${JSON.stringify(name)} {`, ...group({ id: r.id, provider: r.provider, ...r.props }, style)];
  if (Object.keys(r.outputs).length > 0) out.push("", style.dim("    # outputs"), ...group(r.outputs, style));
  out.push("}");
  return out;
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
