/**
 * One planned change as Terraform prints it: `# ADDR will be ...`, reason lines, and the
 * `resource "TYPE" "NAME" { ... }` block with attribute diffs. Shared by the human and markdown views.
 */
import { isUnknown, valueEquals } from "../graph/value.js";
import type { AttributeChange, ChangeNote, ChangeReason, DriftEntry, PlanChange } from "../plan/plan-types.js";
import { objectLabel } from "./deposed-object.js";
import { alignKeys, attributeLines, hiddenLine, valueLines, type DiffLine } from "./diff-lines.js";
import { renderLines, colorSym } from "./render-lines.js";
import type { Style } from "./style.js";

/** The symbol in front of `resource`, right-aligned in three columns. */
export function actionSymbol(change: Pick<PlanChange, "action" | "replaceOrder">): string {
  switch (change.action) {
    case "create":
      return "+";
    case "update":
      return "~";
    case "replace":
      return change.replaceOrder === "create-before-delete" ? "+/-" : "-/+";
    case "delete":
      return "-";
    case "forget":
      return ".";
    case "import":
      return "=";
    case "noop":
      return " ";
  }
}

/** `container.web` → `container`, `web`. */
export function splitAddress(address: string, type: string): { type: string; name: string } {
  const prefix = type + ".";
  return { type, name: address.startsWith(prefix) ? address.slice(prefix.length) : address };
}

/** The `will be ...` part of the header line. */
export function headline(change: PlanChange, style: Style): string {
  switch (change.action) {
    case "create":
      return "will be created";
    case "update":
      return "will be updated in-place";
    case "replace":
      return change.reasons.some((r) => r.code === "replace_by_request")
        ? `will be ${style.bold("replaced")}, as requested`
        : `must be ${style.bold("replaced")}`;
    case "delete":
      return `will be ${style.bold("destroyed")}`;
    case "forget":
      return "will no longer be managed by infra, but will not be destroyed";
    case "import":
      return "will be imported";
    case "noop":
      return "has no changes";
  }
}

/** The `# (because ...)` lines: only for reasons the attribute lines do not already show; then the notes. */
export function reasonLines(change: PlanChange): string[] {
  const out: string[] = [];
  for (const n of change.notes ?? []) out.push(`# (${noteText(n)})`);
  const seen = new Set<string>();
  for (const r of change.reasons) {
    const text = reasonText(change.address, r);
    if (text !== undefined && !seen.has(text)) {
      seen.add(text);
      out.push(`# (${text})`);
    }
  }
  return out;
}

/** One phrase per note, for every view. */
export function noteText(n: ChangeNote): string {
  switch (n.code) {
    case "image_pull":
      return `image ${n.image} will be pulled`;
  }
}

function reasonText(address: string, r: ChangeReason): string | undefined {
  switch (r.code) {
    case "missing_live":
      return "because the real object was deleted outside infra";
    case "replace_on_changes":
      return r.attribute !== undefined ? `because replaceOnChanges includes ${r.attribute}` : "because of replaceOnChanges";
    case "replace_because_dependency_replaced":
      return r.dependency !== undefined ? `because ${r.dependency} will be replaced` : "because a dependency will be replaced";
    case "delete_because_no_resource_config":
      return `because ${address} is not in configuration`;
    case "delete_because_deposed":
      // Terraform's words, so that readers and PR tools that know them recognise the case.
      return "left over from a partially-failed replacement";
    case "forget_because_retain_on_delete":
      return `because ${address} is not in configuration and retainOnDelete is set`;
    case "adopt_orphan":
      return ORPHAN_FOUND;
    case "replace_orphan":
      return `${ORPHAN_FOUND}, but it differs from the configuration`;
    case "delete_orphan":
      return `${ORPHAN_FOUND}, but the configuration does not keep it`;
    default:
      return undefined;
  }
}

/** Why an orphan is in the plan: every view says it in these words. */
export const ORPHAN_FOUND = "found in the engine with this stack's labels: created by an apply that was interrupted";

/** A short reason for tables (markdown): one phrase per change. */
export function reasonSummary(change: PlanChange): string {
  const parts = change.reasons.map((r): string => {
    switch (r.code) {
      case "new_in_config":
        return "new in configuration";
      case "missing_live":
        return "deleted outside infra";
      case "attributes_changed":
        return r.attribute !== undefined ? `${r.attribute} changed` : "attributes changed";
      case "replace_because_cannot_update":
        return r.attribute !== undefined ? `${r.attribute} forces replacement` : "cannot update in place";
      case "replace_on_changes":
        return r.attribute !== undefined ? `replaceOnChanges: ${r.attribute}` : "replaceOnChanges";
      case "replace_by_request":
        return "--replace requested";
      case "replace_because_dependency_replaced":
        return r.dependency !== undefined ? `${r.dependency} replaced` : "dependency replaced";
      case "delete_because_no_resource_config":
        return "not in configuration";
      case "delete_because_destroy":
        return "destroy requested";
      case "delete_because_deposed":
        return "left over from a partially-failed replacement";
      case "forget_because_retain_on_delete":
        return "retainOnDelete";
      case "adopt_orphan":
        return "found with this stack's labels (an interrupted apply made it)";
      case "replace_orphan":
        return "found with this stack's labels (an interrupted apply made it), differs";
      case "delete_orphan":
        return "found with this stack's labels (an interrupted apply made it), not kept";
      case "no_changes":
        return "no changes";
    }
  });
  return [...new Set([...parts, ...(change.notes ?? []).map(noteText)])].join("; ");
}

/** Attribute lines of a change, sorted by name, keys aligned. */
export function changeBodyLines(change: PlanChange): DiffLine[] {
  const children: Array<{ key: string; lines: DiffLine[] }> = [];
  const shown = new Set<string>();
  const add = (key: string, lines: DiffLine[]): void => {
    shown.add(key);
    if (lines.length > 0) children.push({ key, lines });
  };
  const before = change.before;
  const after = change.after;

  if (change.action === "forget" || change.action === "import") {
    if (before?.id !== undefined) add("id", valueLines("id", before.id, " ", 1, ""));
  } else if (change.action === "delete" && change.attributes.length === 0 && before !== null) {
    for (const [k, v] of Object.entries(before.props)) add(k, valueLines(k, v, "-", 1, " -> null"));
  } else if (change.action === "create" && change.attributes.length === 0 && after !== null) {
    for (const [k, v] of Object.entries(after.props)) add(k, valueLines(k, v, "+", 1, ""));
  } else {
    for (const a of change.attributes) add(a.path, attributeChangeLines(a, 1));
  }

  if (change.action === "delete" && before?.id !== undefined && !shown.has("id")) {
    add("id", valueLines("id", before.id, "-", 1, " -> null"));
  }
  if (after !== null && (change.action === "create" || change.action === "update" || change.action === "replace")) {
    for (const [k, v] of Object.entries(after.outputs)) {
      if (shown.has(k)) continue;
      const prior = before?.outputs[k] ?? (k === "id" ? before?.id : undefined);
      if (change.action === "create") add(k, valueLines(k, v, "+", 1, ""));
      else if (isUnknown(v) && prior !== undefined && !isUnknown(prior)) add(k, attributeLines(k, prior, v, 1));
      else if (prior !== undefined && !valueEquals(prior, v)) add(k, attributeLines(k, prior, v, 1));
    }
  }
  children.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const body = alignKeys(children.map((c) => c.lines));
  if (change.unchangedCount > 0 && change.action !== "create" && change.action !== "delete") {
    body.push(hiddenLine(1, change.unchangedCount, "attribute"));
  }
  return body;
}

export function attributeChangeLines(a: AttributeChange, depth: number): DiffLine[] {
  const opts: { sensitive: boolean; comment?: string } = { sensitive: a.sensitive };
  if (a.forcesReplacement) opts.comment = "forces replacement";
  return attributeLines(a.path, a.before, a.after, depth, opts);
}

/** The whole block of one change, header included, as lines of text. */
export function renderChangeBlock(change: PlanChange, style: Style): string[] {
  const { type, name } = splitAddress(change.address, change.type);
  const sym = actionSymbol(change);
  const out = [style.bold(`  # ${objectLabel(change.address, change.deposed)}`) + " " + headline(change, style)];
  for (const r of reasonLines(change)) out.push(`  ${r}`);
  const body = renderLines(changeBodyLines(change), style);
  out.push(`${" ".repeat(3 - sym.length)}${colorSym(sym, style)} resource ${JSON.stringify(type)} ${JSON.stringify(name)} {`);
  out.push(...body, "    }");
  return out;
}

/** A drift entry: `# ADDR has been deleted` / `has changed`, with the attributes that moved. */
export function renderDriftBlock(entry: DriftEntry, type: string, style: Style): string[] {
  const { name } = splitAddress(entry.address, type);
  const deleted = entry.kind === "deleted";
  const sym = deleted ? "-" : "~";
  const header = style.bold(`  # ${entry.address}`) + (deleted ? " has been deleted" : " has changed");
  const lines = alignKeys(entry.attributes.map((a) => attributeChangeLines({ ...a, forcesReplacement: false }, 1)));
  const open = `  ${colorSym(sym, style)} resource ${JSON.stringify(type)} ${JSON.stringify(name)} {`;
  if (lines.length === 0) return [header, open + "}"];
  return [header, open, ...renderLines(lines, style), "    }"];
}

/** Type of a drifted address: from its change when there is one, else the part before the dot. */
export function typeOfAddress(address: string, changes: readonly PlanChange[]): string {
  return changes.find((c) => c.address === address)?.type ?? address.split(".")[0] ?? address;
}
