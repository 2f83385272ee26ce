/**
 * The plan for pull-request comments: the summary line, a table of every change (address,
 * action, reason), then a collapsible `<details>` per resource with its diff. Kept under a
 * size limit (GitHub refuses comments over 65,536 characters) with a note saying what was cut.
 */
import type { Plan, PlanChange } from "../plan/plan-types.js";
import { shortObjectId } from "./deposed-object.js";
import { outputLines, summaryLine, visibleChanges } from "./plan-human.js";
import { reasonSummary, renderChangeBlock, renderDriftBlock, typeOfAddress } from "./resource-block.js";
import { makeStyle } from "./style.js";

export const MARKDOWN_LIMIT = 60_000;

export interface MarkdownOptions {
  /** Upper bound on the length of the result; 60,000 by default. */
  limit?: number;
}

const ACTION_LABEL: Record<PlanChange["action"], string> = {
  create: "create",
  update: "update in-place",
  replace: "replace",
  delete: "destroy",
  forget: "forget",
  import: "import",
  noop: "no-op",
};

const ACTION_ICON: Record<PlanChange["action"], string> = {
  create: "🟢",
  update: "🟡",
  replace: "🟠",
  delete: "🔴",
  forget: "⚪",
  import: "🔵",
  noop: "",
};

export function renderPlanMarkdown(plan: Plan, opts: MarkdownOptions = {}): string {
  const limit = opts.limit ?? MARKDOWN_LIMIT;
  const changes = visibleChanges(plan);
  const style = makeStyle(false);
  const head: string[] = [`### infra plan: \`${escapeCode(plan.stack)}\``, ""];
  if (changes.length === 0 && !plan.outputs.some((o) => o.action !== "noop")) {
    head.push("**No changes.** Your infrastructure matches the configuration.");
  } else {
    head.push(`**${summaryLine(plan)}**`);
  }
  if (plan.options.targets.length > 0 || plan.options.excludes.length > 0) {
    head.push("", "> [!WARNING]", "> Resource targeting is in effect: this plan may be incomplete.");
  }
  if (!plan.empty) head.push("", `Plan digest: \`${escapeCode(plan.digest)}\` (\`infra apply\` of the saved plan prints the same)`);

  // Sections in the order a reviewer reads them; each is added whole or not at all.
  const sections: Section[] = [];
  if (changes.length > 0) {
    sections.push({ kind: "other", text: ["", "| | Address | Action | Reason |", "|---|---|---|---|"].join("\n") });
    for (const c of changes) {
      const action = c.action === "replace" ? `replace (${c.replaceOrder === "create-before-delete" ? "create first" : "destroy first"})` : ACTION_LABEL[c.action];
      const deposed = c.deposed === undefined ? "" : ` (deposed object \`${escapeCode(shortObjectId(c.deposed))}\`)`;
      sections.push({ kind: "row", text: `| ${ACTION_ICON[c.action]} | \`${escapeCode(c.address)}\`${deposed} | ${action} | ${escapeCell(reasonSummary(c))} |` });
    }
  }
  if (plan.drift.length > 0) {
    const body = plan.drift.flatMap((d) => [...renderDriftBlock(d, typeOfAddress(d.address, plan.changes), style), ""]);
    sections.push({ kind: "details", text: details(`Objects changed outside of infra (${plan.drift.length})`, body) });
  }
  for (const c of changes) {
    const block = renderChangeBlock(c, style);
    const deposed = c.deposed === undefined ? "" : ` (deposed object <code>${escapeHtml(shortObjectId(c.deposed))}</code>)`;
    sections.push({ kind: "details", text: details(`<code>${escapeHtml(c.address)}</code>${deposed} ${ACTION_LABEL[c.action]}`, block.slice(1)) });
  }
  const outputs = outputLines(plan, style);
  if (outputs.length > 0) sections.push({ kind: "details", text: details("Changes to Outputs", outputs) });

  let text = head.join("\n") + "\n";
  for (let i = 0; i < sections.length; i++) {
    const s = sections[i]!;
    const note = truncationNote(sections.slice(i), limit);
    if (text.length + s.text.length + 1 + note.length > limit) return text + note;
    text += s.text + "\n";
  }
  return text;
}

interface Section {
  kind: "row" | "details" | "other";
  text: string;
}

function truncationNote(left: Section[], limit: number): string {
  const rows = left.filter((s) => s.kind === "row").length;
  const sections = left.filter((s) => s.kind === "details").length;
  const parts: string[] = [];
  if (rows > 0) parts.push(`${rows} table row${rows === 1 ? "" : "s"}`);
  if (sections > 0) parts.push(`${sections} collapsible section${sections === 1 ? "" : "s"}`);
  return (
    `\n> [!NOTE]\n> **Output truncated** to stay under ${limit.toLocaleString("en-US")} characters: ${parts.join(" and ") || "the rest"} left out. ` +
    "Run `infra plan` (or `infra plan --json`) to see the whole plan.\n"
  );
}

/** A collapsible section whose body is a diff block (symbols moved to column 0 so `diff` highlighting works). */
function details(summary: string, lines: string[]): string {
  const body = lines.map(toDiffSyntax).join("\n").replace(/\n+$/, "");
  const fence = body.includes("```") ? "````" : "```";
  return `\n<details><summary>${summary}</summary>\n\n${fence}diff\n${body}\n${fence}\n\n</details>`;
}

/** `      ~ a = 1 -> 2` → `!     a = 1 -> 2`: GitHub colours diff lines by their first character. */
export function toDiffSyntax(line: string): string {
  const m = /^( *)([-+~!])( .*)$/.exec(line);
  if (m === null) return line;
  const [, indent = "", sym = "", rest = ""] = m;
  const mark = sym === "~" ? "!" : sym;
  return mark + indent + rest;
}

function escapeCell(s: string): string {
  return s.replace(/\\/g, "\\\\").replace(/\|/g, "\\|").replace(/\n/g, " ");
}

function escapeCode(s: string): string {
  return s.replace(/`/g, "'").replace(/\|/g, "\\|");
}

function escapeHtml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}
