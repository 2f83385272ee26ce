// `infra init` writes a tsconfig.json with which the TypeScript compiler (as an editor runs it)
// resolves "infra" to this install's types: the starter stack passes `tsc --noEmit -p DIR`, a type
// error is reported at its line. Both as the CLI runs from source and as bin/infra runs from dist/
// (what a clone or a global npm install runs; the set-up builds it).
import t, { type Test } from "tap";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { isAbsolute, join } from "node:path";
import { runCli, tempDir } from "./fixtures/run-cli.js";

const repo = join(import.meta.dirname, "..", "..");
const tsc = join(repo, "node_modules", "typescript", "bin", "tsc");

function typecheckDir(dir: string): { code: number | null; out: string } {
  const r = spawnSync(process.execPath, [tsc, "--noEmit", "-p", dir], { cwd: dir, encoding: "utf8" });
  return { code: r.status, out: r.stdout + r.stderr };
}

async function checkEditorSetup(t: Test, dir: string, expectTypes: string): Promise<void> {
  const config = JSON.parse(readFileSync(join(dir, "tsconfig.json"), "utf8")) as { compilerOptions: { paths: Record<string, string[]> } };
  const target = config.compilerOptions.paths.infra?.[0] ?? "";
  t.ok(isAbsolute(target) && existsSync(target), `"infra" maps to an existing absolute path (${target})`);
  t.equal(target, join(repo, expectTypes));
  const ok = typecheckDir(dir);
  t.equal(ok.code, 0, `tsc accepts the starter stack: ${ok.out}`);
  const stack = join(dir, "infra.ts");
  const starter = readFileSync(stack, "utf8");
  const lines = starter.split("\n").length;
  writeFileSync(stack, starter + 'const port: number = "8080";\n');
  const bad = typecheckDir(dir);
  t.equal(bad.code, 2, "tsc reports the type error");
  t.match(bad.out, new RegExp(`infra\\.ts\\(${lines},7\\): error TS2322: Type 'string' is not assignable to type 'number'`));
  writeFileSync(stack, starter.replace('image: "busybox",', 'image: "busybox",\n    restartt: "always",'));
  t.match(typecheckDir(dir).out, /infra\.ts\(\d+,\d+\): error TS2561: Object literal may only specify known properties, but 'restartt' does not exist in type 'ContainerProps'/, "the DSL's own types are what tsc checks against");
}

t.test("from source: init writes tsconfig.json; tsc resolves infra and reports errors", async (t) => {
  const cwd = tempDir(t, "init-editor");
  const r = await runCli(["init"], { cwd });
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, /Wrote tsconfig\.json/);
  await checkEditorSetup(t, cwd, "src/dsl/index.ts");
});

t.test("bin/infra (dist/): tsconfig.json points at dist/dsl/index.d.ts", async (t) => {
  t.ok(existsSync(join(repo, "dist/cli/main.js")), "the CLI is built (npm run build)");
  const cwd = tempDir(t, "init-dist");
  const r = spawnSync(join(repo, "bin", "infra"), ["init"], { cwd, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
  t.equal(r.status, 0, r.stderr);
  await checkEditorSetup(t, cwd, "dist/dsl/index.d.ts");
});

t.test("an existing tsconfig.json is left alone; --tsconfig writes only it", async (t) => {
  const cwd = tempDir(t, "init-own");
  writeFileSync(join(cwd, "tsconfig.json"), '{ "compilerOptions": {} }\n');
  const r = await runCli(["init"], { cwd });
  t.equal(r.code, 0, r.stderr);
  t.equal(readFileSync(join(cwd, "tsconfig.json"), "utf8"), '{ "compilerOptions": {} }\n', "unchanged");
  t.match(r.stdout, /Left tsconfig\.json as it is\. For an editor to resolve "infra", add to its compilerOptions:\n\{\n  "paths": \{\n    "infra": \[\n      "\//);
  const again = await runCli(["init", "--tsconfig"], { cwd });
  t.equal(again.code, 1);
  t.match(again.stderr, /INFRA_CLI_INIT_EXISTS/);

  const other = tempDir(t, "init-tsonly");
  writeFileSync(join(other, "infra.ts"), "// mine\n");
  const only = await runCli(["init", "--tsconfig"], { cwd: other });
  t.equal(only.code, 0, only.stderr);
  t.equal(readFileSync(join(other, "infra.ts"), "utf8"), "// mine\n", "the stack is not touched");
  t.ok(existsSync(join(other, "tsconfig.json")));
});
