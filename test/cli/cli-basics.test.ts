import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import t from "tap";
import { runCli, tempDir } from "./fixtures/run-cli.js";

const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };

t.test("--version and version", async (t) => {
  const cwd = tempDir(t, "version");
  const a = await runCli(["--version"], { cwd });
  t.equal(a.code, 0);
  t.equal(a.stdout, `infra ${pkg.version}\n`);
  const b = await runCli(["version"], { cwd });
  t.equal(b.stdout, a.stdout);
});

t.test("unknown flags and commands are usage errors that name them", async (t) => {
  const cwd = tempDir(t, "flags");
  const g = await runCli(["--bogus", "plan"], { cwd });
  t.equal(g.code, 1);
  t.match(g.stderr, /Unknown flag --bogus/);
  t.match(g.stderr, /INFRA_CLI_UNKNOWN_FLAG/);
  const c = await runCli(["plan", "--frobnicate=3"], { cwd });
  t.equal(c.code, 1);
  t.match(c.stderr, /Unknown flag --frobnicate for "infra plan"/);
  t.match(c.stderr, /infra help plan/);
  const u = await runCli(["deploy"], { cwd });
  t.equal(u.code, 1);
  t.match(u.stderr, /Unknown command "deploy"/);
  const s = await runCli(["state", "frob"], { cwd });
  t.equal(s.code, 1);
  t.match(s.stderr, /"infra state" takes one of: list, show, rm, mv/);
  t.equal(c.stdout + u.stdout + g.stdout, "", "nothing on stdout");
});

t.test("help lists the commands; help COMMAND shows its usage", async (t) => {
  const cwd = tempDir(t, "help");
  const h = await runCli(["help"], { cwd });
  t.equal(h.code, 0);
  for (const c of ["init", "check", "plan", "apply", "destroy", "refresh", "import", "output", "state list", "graph", "version"]) t.match(h.stdout, new RegExp(`^  ${c} `, "m"));
  const p = await runCli(["help", "plan"], { cwd });
  t.match(p.stdout, /--detailed-exitcode/);
});

t.test("a missing stack file is a clear error and creates nothing", async (t) => {
  const cwd = tempDir(t, "missing");
  const r = await runCli(["plan"], { cwd });
  t.equal(r.code, 1);
  t.match(r.stderr, /INFRA_CLI_STACK_NOT_FOUND/);
  t.match(r.stderr, /infra init/);
  t.notOk(existsSync(join(cwd, ".infra")));
  const f = await runCli(["-f", "other.ts", "check"], { cwd });
  t.match(f.stderr, /No stack file at .*other\.ts/);
});

t.test("init then check; init refuses to overwrite; check reports type errors", async (t) => {
  const cwd = tempDir(t, "init");
  const i = await runCli(["init"], { cwd });
  t.equal(i.code, 0, i.stderr);
  const file = join(cwd, "infra.ts");
  const written = readFileSync(file, "utf8");
  t.match(written, /import .* from "infra"/);
  const again = await runCli(["init"], { cwd });
  t.equal(again.code, 1);
  t.match(again.stderr, /INFRA_CLI_INIT_EXISTS/);
  t.equal(readFileSync(file, "utf8"), written, "left unchanged");

  const c = await runCli(["check"], { cwd });
  t.equal(c.code, 0, c.stderr);
  t.match(c.stdout, /Success! The stack ".*" is valid: 4 resources/);
  t.notOk(existsSync(join(cwd, ".infra", "memory-provider.json")), "no provider was used");

  writeFileSync(file, written + "\nconst oops: number = \"not a number\";\n");
  const bad = await runCli(["check", "--no-color"], { cwd });
  t.equal(bad.code, 1);
  t.match(bad.stderr, /infra\.ts:\d+:\d+/);
  t.match(bad.stderr, /not assignable to type 'number'/);
  t.equal(bad.stdout, "");
});

t.test("-C runs elsewhere and -p names the stack", async (t) => {
  const cwd = tempDir(t, "chdir");
  const sub = join(cwd, "proj");
  t.equal((await runCli(["-C", "proj", "init"], { cwd })).code, 0);
  t.ok(existsSync(join(sub, "infra.ts")));
  const c = await runCli(["-C", "proj", "-p", "named", "check"], { cwd });
  t.equal(c.code, 0, c.stderr);
  t.match(c.stdout, /The stack "named" is valid/);
});
