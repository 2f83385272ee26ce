import t, { type Test } from "tap";
import { promises as fs } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { declarationSite } from "../../src/dsl/declaration-site.js";
import { loadStack } from "../../src/dsl/loader/index.js";
import { generateStack } from "../../bench/plan-scale-stack.js";

const RUN = `infra-a2-declsite-${process.pid}-${Date.now().toString(36)}`;

async function tmpdir(t: Test, files: Iterable<[string, string]>): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), `${RUN}-`));
  t.teardown(() => fs.rm(dir, { recursive: true, force: true }));
  for (const [name, text] of files) {
    await fs.mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await fs.writeFile(path.join(dir, name), text);
  }
  return dir;
}

t.test("call sites and an already formatted stack give the same place; the stack stays a string", async (t) => {
  // All three on one line, so that `here` names the line the other two were made on.
  const fresh = new Error("a"), formatted = new Error("b"), here = new Error("c");
  const line = Number(/:(\d+):\d+\)?$/.exec(here.stack?.split("\n")[1] ?? "")?.[1]);
  void formatted.stack;
  const a = declarationSite(fresh);
  const b = declarationSite(formatted);
  t.equal(a?.file, fileURLToPath(import.meta.url), "this test file, not the DSL");
  t.equal(a?.line, line, "the line the error was made on");
  t.equal(b?.file, a?.file, "the formatted stack is parsed to the same file");
  t.equal(b?.line, line, "and line");
  t.type(fresh.stack, "string");
  t.match(fresh.stack, `${a?.file}:${a?.line}:${a?.column}`, "the stack left behind names the place");
});

t.test("resources declared in imported modules point at their own .ts lines", async (t) => {
  const dir = await tmpdir(t, [
    ["infra.ts", `import { defineStack } from "infra";\nimport { web } from "./parts/web.ts";\nimport { db } from "./parts/db.ts";\nexport default defineStack((stack) => {\n  db(stack);\n  web(stack);\n});\n`],
    ["parts/db.ts", `import { Container, type Stack } from "infra";\n\nexport function db(stack: Stack): void {\n  // two lines down\n  new Container(stack, "db", { image: "busybox" });\n}\n`],
    ["parts/web.ts", `import { Container, type Stack } from "infra";\nexport function web(stack: Stack): void {\n  for (const n of ["a", "b"]) {\n    new Container(stack, \`web-\${n}\`, { image: "busybox" });\n  }\n}\n`],
  ]);
  const r = await loadStack({ file: path.join(dir, "infra.ts"), stackName: "s", cacheDir: path.join(dir, ".infra", "cache") });
  t.same(r.diagnostics, []);
  const where = Object.fromEntries(r.graph.resources.map((n) => [n.address, n.source]));
  t.same(where["container.db"], { file: path.join(dir, "parts", "db.ts"), line: 5, column: 3 });
  t.same(where["container.web-a"], { file: path.join(dir, "parts", "web.ts"), line: 4, column: 5 });
  t.same(where["container.web-b"], { file: path.join(dir, "parts", "web.ts"), line: 4, column: 5 });
});

t.test("the benchmark's generated stack loads clean, uses the cache on the second load, and keeps its sources", async (t) => {
  const gen = generateStack(100);
  const dir = await tmpdir(t, gen.files);
  const opts = { file: path.join(dir, "infra.ts"), stackName: "bench", cacheDir: path.join(dir, ".infra", "cache") };
  const first = await loadStack(opts);
  t.same(first.diagnostics, []);
  t.equal(first.graph.resources.length, 100);
  const byType = (ty: string): number => first.graph.resources.filter((n) => n.type === ty).length;
  t.same({ network: byType("network"), volume: byType("volume"), image: byType("image"), container: byType("container") }, gen.counts);
  t.equal(first.typecheckCached, false);
  t.ok(first.timings.transpileMs > 0, "the first load transpiles");
  const second = await loadStack(opts);
  t.equal(second.typecheckCached, true, "unchanged files are not checked again");
  t.equal(second.timings.transpileMs < first.timings.transpileMs, true, "nor transpiled again");
  const web = second.graph.resources.find((n) => n.address === "container.web-3-0");
  const text = gen.files.get("parts/part000.ts")!.split("\n");
  t.equal(web?.source?.file, path.join(dir, "parts", "part000.ts"));
  t.match(text[(web?.source?.line ?? 0) - 1], 'new Container(stack, "web-3-0"', "the line that declares it");
});
