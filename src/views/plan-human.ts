/**
 * The plan for people, in Terraform's grammar, so that the tools that already parse Terraform
 * plans in pull requests can parse ours: legend, `# ADDR will be ...` blocks, and exactly one
 * final line, `Plan: X to add, Y to change, Z to destroy.` or `No changes. ...`.
 */
import type { ChangeAction, Plan, PlanChange } from "../plan/plan-types.js";
import { attributeLines } from "./diff-lines.js";
import { compareChanges } from "./deposed-object.js";
import { colorSym, renderLines } from "./render-lines.js";
import { renderChangeBlock, renderDriftBlock, typeOfAddress } from "./resource-block.js";
import { makeStyle, type Style } from "./style.js";

export interface HumanViewOptions {
  color: boolean;
}

const LEGEND: Array<{ sym: string; text: string; match: (c: PlanChange) => boolean }> = [
  { sym: "+", text: "create", match: (c) => c.action === "create" },
  { sym: "=", text: "import (adopt an existing object)", match: (c) => c.action === "import" },
  { sym: "~", text: "update in-place", match: (c) => c.action === "update" },
  { sym: "-/+", text: "destroy and then create replacement", match: (c) => c.action === "replace" && c.replaceOrder !== "create-before-delete" },
  { sym: "+/-", text: "create replacement and then destroy", match: (c) => c.action === "replace" && c.replaceOrder === "create-before-delete" },
  { sym: "-", text: "destroy", match: (c) => c.action === "delete" },
  { sym: ".", text: "forget", match: (c) => c.action === "forget" },
];

/** Visible changes, in the order Terraform prints them: by address, a current object before deposed ones. */
export function visibleChanges(plan: Plan): PlanChange[] {
  return plan.changes.filter((c) => c.action !== "noop").sort(compareChanges);
}

export function renderPlanHuman(plan: Plan, opts: HumanViewOptions): string {
  const style = makeStyle(opts.color);
  const out: string[] = [];
  const changes = visibleChanges(plan);

  if (plan.drift.length > 0) out.push(...driftSection(plan, style), "");

  if (changes.length > 0) {
    out.push(
      "infra used the selected providers to generate the following execution plan. Resource actions are indicated with the following symbols:",
    );
    for (const l of LEGEND) {
      if (changes.some(l.match)) out.push(`${" ".repeat(3 - l.sym.length)}${colorSym(l.sym, style)} ${l.text}`);
    }
    out.push("", "infra will perform the following actions:", "");
    for (const c of changes) out.push(...renderChangeBlock(c, style), "");
  }

  const outputs = outputLines(plan, style);
  if (outputs.length > 0) {
    out.push("Changes to Outputs:", ...outputs, "");
    if (changes.length === 0) {
      out.push("You can apply this plan to save these new output values to the infra state, without changing any real infrastructure.", "");
    }
  }

  if (changes.length === 0 && outputs.length === 0) {
    if (plan.drift.length > 0) {
      out.push("Your configuration already matches the changes detected above. To record them in the state, run `infra refresh`.", "");
    }
    out.push(style.green(plan.options.mode === "destroy" ? "No changes. No objects need to be destroyed." : "No changes. Your infrastructure matches the configuration."));
  } else {
    // What `infra apply PLANFILE` prints too, so that a reviewer can match the two.
    out.push(`${style.bold("Plan digest:")} ${plan.digest}`, "", summaryLine(plan, style));
  }
  return out.join("\n") + "\n";
}

/**
 * `Plan: X to add, Y to change, Z to destroy.`, with Terraform's `N to import, ` in front only when
 * importing and OpenTofu's `, N to forget` only when forgetting.
 */
export function summaryLine(plan: Plan, style: Style = makeStyle(false)): string {
  const s = plan.summary;
  const forget = s.forget > 0 ? `, ${s.forget} to forget` : "";
  const imports = (s.import ?? 0) > 0 ? `${s.import} to import, ` : "";
  return `${style.bold("Plan:")} ${imports}${s.add} to add, ${s.change} to change, ${s.destroy} to destroy${forget}.`;
}

function driftSection(plan: Plan, style: Style): string[] {
  const out = [
    style.bold("Note: Objects have changed outside of infra"),
    "",
    'infra detected the following changes made outside of infra since the last "infra apply" which may have affected this plan:',
    "",
  ];
  const sorted = [...plan.drift].sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
  for (const d of sorted) out.push(...renderDriftBlock(d, typeOfAddress(d.address, plan.changes), style), "");
  out.push(
    "Unless you have made equivalent changes to your configuration, or ignored the relevant attributes using ignoreChanges, the following plan may include actions to undo or respond to these changes.",
    "",
    style.dim("─".repeat(77)),
  );
  return out;
}

/** `Changes to Outputs:` entries at depth 0 (two spaces, as Terraform). */
export function outputLines(plan: Plan, style: Style): string[] {
  const lines: string[] = [];
  const changed = plan.outputs.filter((o) => o.action !== "noop").sort((a, b) => (a.name < b.name ? -1 : 1));
  const width = Math.max(0, ...changed.map((o) => o.name.length));
  for (const o of changed) {
    const before = o.action === "create" ? undefined : o.before;
    const after = o.action === "delete" ? undefined : o.after;
    const ls = attributeLines(o.name.padEnd(width), before, after, 0, { sensitive: o.sensitive });
    lines.push(...renderLines(ls, style));
  }
  return lines;
}

/** Counts of visible actions, e.g. for the markdown table header. */
export function countActions(plan: Plan): Record<ChangeAction, number> {
  const counts: Record<ChangeAction, number> = { create: 0, update: 0, replace: 0, delete: 0, forget: 0, import: 0, noop: 0 };
  for (const c of plan.changes) counts[c.action]++;
  return counts;
}
