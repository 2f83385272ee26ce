// plan → apply → plan (no changes) → destroy across processes, with the in-memory provider
// (INFRA_PROVIDER=memory keeps its objects in .infra/ so that no root and no engine are needed).
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import t from "tap";
import { runCli, tempDir } from "./fixtures/run-cli.js";

const env = { INFRA_PROVIDER: "memory" };

t.test("the whole lifecycle", async (t) => {
  const cwd = tempDir(t, "e2e");
  const run = (...args: string[]) => runCli(args, { cwd, env });
  t.equal((await run("init")).code, 0);

  const first = await run("plan", "--detailed-exitcode");
  t.equal(first.code, 2, "changes → 2");
  t.match(first.stderr, /Warning: INFRA_PROVIDER=memory/, "the test provider is never silent");
  t.match(first.stdout, /Plan: 4 to add, 0 to change, 0 to destroy\.\n$/);

  const saved = await run("plan", "--out", "release.plan", "--json");
  t.equal(saved.code, 0, saved.stderr);
  const doc = JSON.parse(saved.stdout) as { format_version: string; resource_changes: Array<{ change: { actions: string[] } }> };
  t.equal(doc.format_version, "1.1");
  t.same(doc.resource_changes.map((c) => c.change.actions), [["create"], ["create"], ["create"], ["create"]]);
  t.match(saved.stderr, /infra apply release\.plan/, "the apply hint goes to stderr in json mode");

  const refused = await run("apply");
  t.equal(refused.code, 1, "no TTY and no --yes");
  t.match(refused.stderr, /INFRA_CLI_APPROVAL_REQUIRED/);
  t.equal((await run("state", "list")).stdout, "", "nothing was applied");

  const applied = await run("apply", "release.plan");
  t.equal(applied.code, 0, applied.stderr);
  t.match(applied.stdout, /container\.web: Creation complete after/);
  t.match(applied.stdout, /Apply complete! Resources: 4 added, 0 changed, 0 destroyed\./);
  t.match(applied.stdout, /Outputs:\n\nurl = "http:\/\/localhost:8080\/"/);

  const again = await run("plan", "--detailed-exitcode");
  t.equal(again.code, 0, again.stderr);
  t.match(again.stdout, /No changes\. Your infrastructure matches the configuration\.\n$/);

  const stale = await run("apply", "release.plan");
  t.equal(stale.code, 1, "a plan made against older state");
  t.match(stale.stderr, /INFRA_PLAN_STALE/);

  const out = await run("output", "--json");
  t.same(JSON.parse(out.stdout), { url: { value: "http://localhost:8080/", sensitive: false } });
  t.equal((await run("output", "url")).stdout, "http://localhost:8080/\n");

  const list = await run("state", "list");
  t.same(list.stdout.trim().split("\n").map((l) => l.split(/\s+/)[0]), ["container.client", "container.web", "network.app", "volume.content"]);
  const show = await run("state", "show", "container.web");
  t.match(show.stdout, /^# container\.web:\nresource "container" "web" \{\n {4}id += "con-/);
  t.match(show.stdout, /^ {4}image += "busybox"$/m);

  // A stack changed after the plan was saved: the saved plan is refused.
  const planned = await run("plan", "--out", "next.plan");
  t.equal(planned.code, 0);
  const file = join(cwd, "infra.ts");
  writeFileSync(file, readFileSync(file, "utf8").replace(`"8080:80"`, `"8081:80"`));
  const changed = await run("apply", "next.plan");
  t.equal(changed.code, 1);
  t.match(changed.stderr, /INFRA_PLAN_STALE/);
  t.match(changed.stderr, /stack changed/);

  const md = await run("plan", "--format", "markdown", "--detailed-exitcode");
  t.equal(md.code, 2);
  t.match(md.stdout, /^### infra plan: /);
  t.match(md.stdout, /\| `container\.web` \| replace \(destroy first\) \| ports forces replacement \|/);

  const yes = await run("apply", "--yes");
  t.equal(yes.code, 0, yes.stderr);
  t.match(yes.stdout, /Apply complete! Resources: 2 added, 0 changed, 2 destroyed\./);

  const mv = await run("state", "mv", "volume.content", "volume.renamed");
  t.equal(mv.code, 0, mv.stderr);
  const moved = await run("plan");
  t.match(moved.stdout, /# volume\.renamed will be destroyed/);
  t.equal((await run("state", "mv", "volume.renamed", "volume.content")).code, 0);

  const destroyed = await run("destroy", "--yes");
  t.equal(destroyed.code, 0, destroyed.stderr);
  t.match(destroyed.stdout, /Destroy complete! Resources: 4 destroyed\./);
  t.equal((await run("state", "list")).stdout, "");
  const store = JSON.parse(readFileSync(join(cwd, ".infra", "memory-provider.json"), "utf8")) as { objects: unknown[] };
  t.same(store.objects, [], "every object is gone");
});
