/**
 * The structural diff of one attribute as lines, in Terraform's layout. Pure data; `render-lines.ts`
 * turns it into text. Used by the human and markdown views, so both always agree.
 */
import { diffArrays, diffLines as diffText } from "diff";
import { isSecret, valueEquals, type Value } from "../graph/value.js";
import { SENSITIVE_TEXT, formatInline, formatKey, isMultiline, isPlainObject, markerText } from "./value-format.js";

export type Sym = "+" | "-" | "~" | " ";

export interface DiffLine {
  /** 1 for the attributes of a resource, one more per nested block. */
  depth: number;
  sym: Sym;
  /** `key = ` prefix; keys of one block are padded to the same width. */
  key?: string;
  text: string;
  /** Shown after the text as ` # comment`. */
  comment?: string;
}

/** The lines for one attribute or map entry. `sensitive` hides both sides entirely. */
export function attributeLines(
  key: string | undefined,
  before: Value | undefined,
  after: Value | undefined,
  depth: number,
  opts: { sensitive?: boolean; comment?: string } = {},
): DiffLine[] {
  const lines = opts.sensitive ? sensitiveLines(key, before, after, depth) : changeLines(key, before, after, depth);
  const first = lines[0];
  if (first !== undefined && opts.comment !== undefined) first.comment = opts.comment;
  return lines;
}

function sensitiveLines(key: string | undefined, before: Value | undefined, after: Value | undefined, depth: number): DiffLine[] {
  if (before === undefined) return [{ depth, sym: "+", key, text: SENSITIVE_TEXT }];
  if (after === undefined) return [{ depth, sym: "-", key, text: `${SENSITIVE_TEXT} -> null` }];
  return [{ depth, sym: "~", key, text: SENSITIVE_TEXT }];
}

function changeLines(key: string | undefined, before: Value | undefined, after: Value | undefined, depth: number): DiffLine[] {
  if (before === undefined && after === undefined) return [];
  if (before === undefined) return valueLines(key, after as Value, "+", depth, "");
  if (after === undefined) return valueLines(key, before, "-", depth, " -> null");
  if (isPlainObject(before) && isPlainObject(after)) return objectDiff(key, before, after, depth);
  if (Array.isArray(before) && Array.isArray(after)) return arrayDiff(key, before, after, depth);
  if (isMultiline(before) && isMultiline(after)) return textDiff(key, before, after, depth);
  // Two secrets: that it changed is all a view may say.
  if (isSecret(before) && isSecret(after)) return [{ depth, sym: "~", key, text: SENSITIVE_TEXT }];
  const b = markerText(before) ?? (isBlock(before) ? undefined : formatInline(before));
  const a = markerText(after) ?? (isBlock(after) ? undefined : formatInline(after));
  if (b !== undefined && a !== undefined) return [{ depth, sym: "~", key, text: `${b} -> ${a}` }];
  // A block turned into something of another shape: show the old one removed and the new one added.
  return [...valueLines(key, before, "-", depth, " -> null"), ...valueLines(key, after, "+", depth, "")];
}

function isBlock(v: Value): boolean {
  return (isPlainObject(v) && Object.keys(v).length > 0) || (Array.isArray(v) && v.length > 0) || isMultiline(v);
}

/** A whole value, every line marked with `sym`; `suffix` ends the last line (" -> null" for removals). */
export function valueLines(key: string | undefined, v: Value, sym: Sym, depth: number, suffix: string): DiffLine[] {
  const m = markerText(v);
  if (m !== undefined) return [{ depth, sym, key, text: m + suffix }];
  if (isMultiline(v)) {
    const body = splitText(v).map((l): DiffLine => ({ depth: depth + 1, sym: " ", text: l }));
    return [{ depth, sym, key, text: "<<-EOT" }, ...body, { depth, sym: " ", text: "EOT" + suffix }];
  }
  if (isPlainObject(v)) {
    const keys = Object.keys(v).filter((k) => v[k] !== undefined).sort();
    if (keys.length === 0) return [{ depth, sym, key, text: "{}" + suffix }];
    const children = keys.map((k) => valueLines(formatKey(k), v[k] as Value, sym, depth + 1, ""));
    return [{ depth, sym, key, text: "{" }, ...alignKeys(children), { depth, sym: " ", text: "}" + suffix }];
  }
  if (Array.isArray(v)) {
    if (v.length === 0) return [{ depth, sym, key, text: "[]" + suffix }];
    const children = v.map((x) => withComma(valueLines(undefined, x, sym, depth + 1, "")));
    return [{ depth, sym, key, text: "[" }, ...children.flat(), { depth, sym: " ", text: "]" + suffix }];
  }
  return [{ depth, sym, key, text: formatInline(v) + suffix }];
}

function objectDiff(key: string | undefined, before: Record<string, Value>, after: Record<string, Value>, depth: number): DiffLine[] {
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  const children: DiffLine[][] = [];
  let unchanged = 0;
  for (const k of keys) {
    const b = before[k];
    const a = after[k];
    if (valueEquals(b, a)) {
      unchanged++;
      continue;
    }
    children.push(changeLines(formatKey(k), b, a, depth + 1));
  }
  const body = alignKeys(children);
  if (unchanged > 0) body.push(hiddenLine(depth + 1, unchanged, "element"));
  return [{ depth, sym: "~", key, text: "{" }, ...body, { depth, sym: " ", text: "}" }];
}

function arrayDiff(key: string | undefined, before: Value[], after: Value[], depth: number): DiffLine[] {
  const parts = diffArrays(before, after, { comparator: (x, y) => valueEquals(x, y) });
  const body: DiffLine[] = [];
  let unchanged = 0;
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i]!;
    const next = parts[i + 1];
    if (!p.added && !p.removed) {
      unchanged += p.value.length;
      continue;
    }
    // A removed run followed by an added run of objects of the same length: show them as edits.
    if (p.removed && next?.added && next.value.length === p.value.length && p.value.every(isPlainObject) && next.value.every(isPlainObject)) {
      p.value.forEach((b, j) => body.push(...withComma(changeLines(undefined, b, next.value[j], depth + 1))));
      i++;
      continue;
    }
    const sym: Sym = p.added ? "+" : "-";
    for (const x of p.value) body.push(...withComma(valueLines(undefined, x, sym, depth + 1, "")));
  }
  if (unchanged > 0) body.push(hiddenLine(depth + 1, unchanged, "element"));
  return [{ depth, sym: "~", key, text: "[" }, ...body, { depth, sym: " ", text: "]" }];
}

function textDiff(key: string | undefined, before: string, after: string, depth: number): DiffLine[] {
  const body: DiffLine[] = [];
  for (const part of diffText(before, after)) {
    const sym: Sym = part.added ? "+" : part.removed ? "-" : " ";
    for (const l of splitText(part.value)) body.push({ depth: depth + 1, sym, text: l });
  }
  return [{ depth, sym: "~", key, text: "<<-EOT" }, ...body, { depth, sym: " ", text: "EOT" }];
}

/** Lines of a text; a final newline does not make an extra empty line. */
function splitText(s: string): string[] {
  const lines = s.split("\n");
  if (lines.length > 1 && lines[lines.length - 1] === "") lines.pop();
  return lines;
}

function withComma(lines: DiffLine[]): DiffLine[] {
  const last = lines[lines.length - 1];
  if (last !== undefined) last.text += ",";
  return lines;
}

export function hiddenLine(depth: number, n: number, noun: string): DiffLine {
  return { depth, sym: " ", text: `# (${n} unchanged ${noun}${n === 1 ? "" : "s"} hidden)` };
}

/** Pads the keys of sibling entries (the first line of each) to one width, as Terraform aligns `=`. */
export function alignKeys(children: DiffLine[][]): DiffLine[] {
  const width = Math.max(0, ...children.map((c) => c[0]?.key?.length ?? 0));
  for (const c of children) {
    const head = c[0];
    if (head?.key !== undefined) head.key = head.key.padEnd(width);
  }
  return children.flat();
}
