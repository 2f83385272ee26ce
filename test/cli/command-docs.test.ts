// Every command has a page under docs/commands/ that names it, and generated pages carry the
// command's current usage: run `node --import tsx scripts/gen-command-docs.ts` after changing one.
import t from "tap";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { COMMANDS, loadCommand } from "../../src/cli/commands/index.js";

const dir = join(import.meta.dirname, "..", "..", "docs", "commands");
const pages = new Map(readdirSync(dir).map((f) => [f, readFileSync(join(dir, f), "utf8")]));

t.test("every command has a page, and generated pages show its usage", async (t) => {
  for (const entry of COMMANDS) {
    const c = await loadCommand(entry);
    const words = c.name.join(" ");
    const page = [`${c.name.join("-")}.md`, `${c.name[0]}.md`].find((f) => pages.get(f)?.includes(`infra ${words}`));
    t.ok(page, `infra ${words} has a page`);
    const text = page === undefined ? "" : pages.get(page)!;
    if (text.startsWith("<!-- generated")) t.ok(text.includes(c.usage.replace(/\s+$/, "")), `${page} shows the current usage of infra ${words}`);
    t.ok(pages.get("README.md")?.includes(`\`infra ${words}\``), `the index lists infra ${words}`);
  }
});
