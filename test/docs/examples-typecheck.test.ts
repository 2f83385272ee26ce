// Every ```ts block of README.md and docs/**/*.md type-checks against the current DSL, with
// "infra" resolved as `infra check` resolves it. Errors are reported at their Markdown file:line.
import t from "tap";
import { join } from "node:path";
import { checkBlocks, extractTsBlocks, readBlocks } from "./doc-examples.js";

const root = join(import.meta.dirname, "..", "..");

t.test("the README's and docs' TypeScript examples type-check", async (t) => {
  const { blocks, problems } = await readBlocks(root);
  t.ok(blocks.some((b) => b.file === "README.md"), "the README's example is found");
  const exempt = blocks.filter((b) => b.exempt !== undefined);
  t.ok(exempt.length <= 3, `few exemptions (${exempt.map((b) => `${b.file}:${b.line} (${b.exempt})`).join(", ") || "none"})`);
  const errors = [...problems, ...(await checkBlocks(blocks))];
  t.same(errors.map((e) => `${e.at}: ${e.message}`), [], `${blocks.length - exempt.length} blocks checked`);
});

t.test("a wrong example is reported at its line in the Markdown file", async (t) => {
  const md = [
    "# Title",
    "",
    "```ts",
    'import { Container, defineStack } from "infra";',
    "export default defineStack((stack) => {",
    '  new Container(stack, "db", { image: "busybox", volumes: [{ source: "data", target: "/data" }] });',
    "});",
    "```",
    "",
    "<!-- no-check: a fragment, not a stack -->",
    "```typescript",
    "new Container(stack, ...)",
    "```",
    "",
    "<!-- no-check -->",
    "~~~ts",
    "const x: number = 1;",
    "~~~",
    "```sh",
    "infra plan",
    "```",
  ].join("\n");
  const { blocks, problems } = extractTsBlocks("guide.md", md);
  t.same(blocks.map((b) => [b.line, b.exempt ?? null]), [[4, null], [12, "a fragment, not a stack"], [17, null]]);
  t.same(problems.map((p) => p.at), ["guide.md:15:1"], "a no-check marker without a reason is refused");
  const errors = await checkBlocks(blocks);
  t.equal(errors.length, 1, errors.map((e) => e.message).join("; "));
  t.equal(errors[0]?.at, "guide.md:6:62", "file:line:column of the bad field");
  t.match(errors[0]?.message, /'source' does not exist/);
});
