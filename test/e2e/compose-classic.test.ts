/**
 * examples/compose-classic (a compose file as the stack) applied for real with `-f` and `-p`: the
 * web container serves the bind-mounted page on its published port from the host's loopback,
 * `db` (the link alias) answers from web, the env_file values are in web's environment, `infra
 * exec` works by compose's container name; a change to one service replaces only that service,
 * with its reason; destroy leaves nothing. Root only.
 */
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import t from "tap";
import { inspected, makeE2e, page, publishOnFreePort } from "./e2e-harness.js";

if (process.getuid?.() !== 0) {
  t.plan(0, "needs root");
  process.exit(0);
}

const e = await makeE2e("compose-classic");
t.teardown(() => e.cleanup());

interface Rec {
  id: string;
  state: string;
  spec: { env?: Record<string, string> };
}

const P = "shop";

t.test("compose classic: page on the published port, link alias, env_file, exec, one-service change, destroy", async (t) => {
  const dir = await e.example("compose-classic");
  const file = join(dir, "docker-compose.yml");
  const port = await publishOnFreePort(file, 25000);
  const stack = ["-f", file, "-p", P];
  const rec = async (svc: string) => inspected<Rec>(await e.cli(["inspect", "--json", `${P}-${svc}-1`]));
  const exec = (svc: string, script: string) => e.cli(["exec", `${P}-${svc}-1`, "sh", "-c", script]);

  const apply = await e.cli(["apply", ...stack, "--yes"]);
  t.equal(apply.code, 0, apply.stderr);
  t.match(apply.stdout, /Apply complete! Resources: 4 added, 0 changed, 0 destroyed\./);

  const index = await readFile(join(dir, "webapp", "index.html"), "utf8");
  const got = await page(`http://127.0.0.1:${port}/index.html`);
  t.equal(got.status, 200);
  t.equal(got.body, index, "web serves the bind-mounted page on the published port");

  t.equal((await exec("web", "timeout 5 nc db 5432 </dev/null")).stdout.trim(), "ready", "db (the link alias) answers from web");
  t.equal((await exec("web", 'echo "$APP_MODE $DB_HOST"')).stdout.trim(), "production db", "env_file values in web's environment");
  const web1 = await rec("web");
  const db1 = await rec("database");
  t.match(web1.spec.env, { APP_MODE: "production", DB_HOST: "db" });

  const again = await e.cli(["plan", ...stack, "--detailed-exitcode"]);
  t.equal(again.code, 0, `no changes after apply:\n${again.stdout}${again.stderr}`);

  // One service changes (its env_file): only web is replaced, and the plan says why.
  await writeFile(join(dir, "web.env"), (await readFile(join(dir, "web.env"), "utf8")).replace("APP_MODE=production", "APP_MODE=staging"));
  const plan = await e.cli(["plan", ...stack, "--json"]);
  t.equal(plan.code, 0, plan.stderr);
  interface Rc { address: string; change: { actions: string[] }; reasons: Array<{ code: string; attribute?: string }> }
  const changes = (JSON.parse(plan.stdout) as { resource_changes: Rc[] }).resource_changes.filter((c) => c.change.actions.join() !== "no-op");
  t.same(changes.map((c) => c.address), ["container.web-1"], "only web changes");
  t.match(changes[0]?.change.actions, ["delete", "create"], "it is replaced");
  t.match(changes[0]?.reasons, [{ attribute: "env" }], "because its env changed");
  const human = await e.cli(["apply", ...stack, "--yes"]);
  t.equal(human.code, 0, human.stderr);
  t.match(human.stdout, /container\.web-1.*replaced/);
  t.match(human.stdout, /env[^\n]*# forces replacement/, "the human plan says why");
  t.match(human.stdout, /Apply complete! Resources: 1 added, 0 changed, 1 destroyed\./);
  t.not((await rec("web")).id, web1.id, "web is a new container");
  t.equal((await rec("database")).id, db1.id, "database is the same container");
  t.equal((await exec("web", 'echo "$APP_MODE"')).stdout.trim(), "staging");
  t.equal((await page(`http://127.0.0.1:${port}/index.html`)).body, index, "the new web serves the page");

  const destroy = await e.cli(["destroy", ...stack, "--yes"]);
  t.equal(destroy.code, 0, destroy.stderr);
  t.match(destroy.stdout, "Destroy complete! Resources: 4 destroyed.");
  t.equal((await e.cli(["ps", "-a", "-q"])).stdout, "", "no container");
  t.notMatch((await e.cli(["network", "ls"])).stdout, `${P}_default`, "no network of the stack");
  t.notMatch((await e.cli(["volume", "ls"])).stdout, `${P}_dbdata`, "no volume of the stack");
  t.same(await e.leftovers(), [], "no runc state, netns, mount, conmon, bridge, veth, rule left");
});
