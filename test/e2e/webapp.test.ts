/**
 * examples/webapp through the real CLI and engine: the published port answers HTTP on
 * 127.0.0.1, the web container's env holds the db's address, a second plan is empty, a memory
 * change is applied in place (same container, same process, new cgroup limit), a command change
 * replaces, destroy leaves nothing. Root only.
 */
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import t from "tap";
import { inspected, makeE2e, page, publishOnFreePort } from "./e2e-harness.js";

if (process.getuid?.() !== 0) {
  t.plan(0, "needs root");
  process.exit(0);
}

const e = await makeE2e("webapp");
t.teardown(() => e.cleanup());

interface Rec {
  id: string;
  pid?: number;
  state: string;
  spec: { env?: Record<string, string> };
  cgroupDirs?: Record<string, string>;
  network?: { endpoints: Array<{ ipv4Address: string }> };
}

t.test("webapp: published port, env reference, in-place update, replace, destroy", async (t) => {
  const stack = await e.example("webapp");
  const file = join(stack, "infra.ts");
  const port = await publishOnFreePort(file, 20000);
  const edit = async (from: string, to: string) => {
    const text = await readFile(file, "utf8");
    t.ok(text.includes(from), `the stack contains ${from}`);
    await writeFile(file, text.replace(from, to));
  };
  const rec = async (name: string) => inspected<Rec>(await e.cli(["inspect", "--json", name]));

  const apply = await e.cli(["-C", stack, "apply", "--yes"]);
  t.equal(apply.code, 0, apply.stderr);
  t.match(apply.stdout, /Apply complete! Resources: 4 added, 0 changed, 0 destroyed\./);

  const out = JSON.parse((await e.cli(["-C", stack, "output", "--json"])).stdout) as Record<string, { value: string }>;
  const db1 = await rec("webapp-db");
  const dbIp = db1.network?.endpoints[0]?.ipv4Address ?? "";
  t.match(dbIp, /^10\.214\./, "db has an address on the stack's network");
  t.equal(out.dbAddress?.value, dbIp, "the stack output is the db's address");

  const res = await page(`http://127.0.0.1:${port}/`);
  t.equal(res.status, 200);
  t.match(res.body, "<h1>hello from infra</h1>", "the published port answers on the host's loopback");
  t.match(res.body, `db at ${dbIp}:5432`, "the page shows the db address from the env reference");

  const web = await rec("webapp-web");
  t.equal(web.spec.env?.DB_ADDR, `${dbIp}:5432`, "the web container's env holds the db's address");
  const env = await e.cli(["exec", "webapp-web", "sh", "-c", "echo $DB_ADDR"]);
  t.equal(env.stdout.trim(), `${dbIp}:5432`);
  const talk = await e.cli(["exec", "webapp-web", "sh", "-c", "cat /etc/resolv.conf; timeout 5 nc webapp-db 5432 </dev/null"]);
  t.match(talk.stdout, /nameserver 10\.214\.\d+\.1\n/, "resolv.conf points at the embedded DNS on the network's gateway");
  t.match(talk.stdout, "db ready", "web reaches db by name");

  t.match((await e.cli(["port", "webapp-web"])).stdout, `80/tcp -> 0.0.0.0:${port}\n`);
  t.match((await e.cli(["ps"])).stdout, `0.0.0.0:${port}->80/tcp`);

  const plan = await e.cli(["-C", stack, "plan", "--detailed-exitcode"]);
  t.equal(plan.code, 0, `no changes right after apply:\n${plan.stdout}${plan.stderr}`);

  // memory: in place, on the live container.
  await edit('memory: "64m"', 'memory: "96m"');
  const memPlan = await e.cli(["-C", stack, "plan", "--detailed-exitcode"]);
  t.equal(memPlan.code, 2, memPlan.stderr);
  t.match(memPlan.stdout, "# container.web will be updated in-place");
  t.match(memPlan.stdout, "Plan: 0 to add, 1 to change, 0 to destroy.");
  const memApply = await e.cli(["-C", stack, "apply", "--yes"]);
  t.equal(memApply.code, 0, memApply.stderr);
  const web2 = await rec("webapp-web");
  t.equal(web2.id, web.id, "same container");
  t.equal(web2.pid, web.pid, "not restarted");
  const memDir = web2.cgroupDirs?.memory ?? web2.cgroupDirs?.[""];
  if (memDir !== undefined) {
    const limitFile = web2.cgroupDirs?.memory !== undefined ? "memory.limit_in_bytes" : "memory.max";
    t.equal((await readFile(join(memDir, limitFile), "utf8")).trim(), String(96 * 1024 * 1024), "the cgroup limit changed");
  } else t.fail("no memory cgroup recorded");
  t.equal((await e.cli(["-C", stack, "plan", "--detailed-exitcode"])).code, 0, "converged");

  // command: forces replacement (and web follows: its env names the db's new address).
  await edit("echo 'db ready'", "echo 'db up'");
  const cmdPlan = await e.cli(["-C", stack, "plan", "--detailed-exitcode"]);
  t.equal(cmdPlan.code, 2, cmdPlan.stderr);
  t.match(cmdPlan.stdout, "# container.db must be replaced");
  t.match(cmdPlan.stdout, /command\s+= \[[^\]]*# forces replacement/s);
  const cmdApply = await e.cli(["-C", stack, "apply", "--yes"]);
  t.equal(cmdApply.code, 0, cmdApply.stderr);
  const db2 = await rec("webapp-db");
  t.not(db2.id, db1.id, "a new db container");
  t.equal(db2.state, "running");
  const talk2 = await e.cli(["exec", "webapp-web", "sh", "-c", "timeout 5 nc webapp-db 5432 </dev/null"]);
  t.match(talk2.stdout, "db up", "the new db answers");
  const res2 = await page(`http://127.0.0.1:${port}/`);
  t.match(res2.body, `db at ${db2.network?.endpoints[0]?.ipv4Address ?? "?"}:5432`);
  t.equal((await e.cli(["-C", stack, "plan", "--detailed-exitcode"])).code, 0, "converged after the replacement");

  const destroy = await e.cli(["-C", stack, "destroy", "--yes"]);
  t.equal(destroy.code, 0, destroy.stderr);
  t.match(destroy.stdout, "Destroy complete! Resources: 4 destroyed.");
  t.equal((await e.cli(["ps", "-a", "-q"])).stdout, "", "no container");
  t.equal((await e.cli(["volume", "ls", "-q"])).stdout.trim(), "", "no volume");
  const nets = (await e.cli(["network", "ls"])).stdout;
  t.notMatch(nets, "webapp", "the stack's network is gone");
  await t.rejects(page(`http://127.0.0.1:${port}/`).then((r) => { if (r.status !== 200) throw new Error("down"); return r; }), "the port no longer answers");
  t.same(await e.leftovers(), [], "no runc state, netns, mount, conmon, bridge, veth, rule left");
});
