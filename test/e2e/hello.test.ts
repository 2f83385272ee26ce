/**
 * examples/hello through the real CLI and engine: apply, the container runs on the default
 * bridge with an address and the engine's /etc files, a second plan finds nothing to do,
 * destroy leaves nothing behind. Root only.
 */
import t from "tap";
import { inspected, makeE2e } from "./e2e-harness.js";

if (process.getuid?.() !== 0) {
  t.plan(0, "needs root");
  process.exit(0);
}

const e = await makeE2e("hello");
t.teardown(() => e.cleanup());

t.test("hello: apply, run, plan again, destroy", async (t) => {
  const stack = await e.example("hello");
  const apply = await e.cli(["-C", stack, "apply", "--yes"]);
  t.equal(apply.code, 0, apply.stderr);
  t.match(apply.stdout, /Apply complete! Resources: 1 added, 0 changed, 0 destroyed\./);

  const ping = await e.cli(["ps", "--json"]);
  const list = JSON.parse(ping.stdout) as Array<{ name: string; state: string; network?: { endpoints: Array<{ network: string; ipv4Address: string }> } }>;
  t.same(list.map((c) => [c.name, c.state]), [["hello-hello", "running"]]);
  const ep = list[0]?.network?.endpoints[0];
  t.equal(ep?.network, "bridge", "on the default bridge");
  t.match(ep?.ipv4Address ?? "", /^10\.214\.\d+\.\d+$/, "an address from this run's pool");

  const inside = await e.cli(["exec", "hello-hello", "sh", "-c", "hostname; ip -4 -o addr show eth0; ip route; grep hello-hello /etc/hosts"]);
  t.equal(inside.code, 0, inside.stderr);
  t.match(inside.stdout, /^hello-hello\n/, "hostname is the container name");
  t.match(inside.stdout, new RegExp(`inet ${ep?.ipv4Address.replace(/\./g, "\\.")}/24`), "eth0 holds the address the engine reports");
  t.match(inside.stdout, /default via 10\.214\.\d+\.1 dev eth0/, "default route through the bridge");
  t.match(inside.stdout, new RegExp(`${ep?.ipv4Address.replace(/\./g, "\\.")}\\s+hello-hello`), "/etc/hosts names the container");
  const logs = await e.cli(["logs", "hello-hello"]);
  t.match(logs.stdout, /hello from infra/);

  const plan = await e.cli(["-C", stack, "plan", "--detailed-exitcode"]);
  t.equal(plan.code, 0, `no changes after apply:\n${plan.stdout}${plan.stderr}`);

  const rec = inspected<{ id: string }>(await e.cli(["inspect", "--json", "hello-hello"]));
  const destroy = await e.cli(["-C", stack, "destroy", "--yes"]);
  t.equal(destroy.code, 0, destroy.stderr);
  t.match(destroy.stdout, /Destroy complete! Resources: 1 destroyed\./);
  t.equal((await e.cli(["ps", "-a", "-q"])).stdout, "", "no container");
  t.notOk(rec.id === "", "had an id");
  t.same(await e.leftovers(), [], "no runc state, netns, mount, conmon, veth, rule left");
});
