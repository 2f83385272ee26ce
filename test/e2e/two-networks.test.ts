/**
 * examples/two-networks through the real CLI and engine: c1 and c2 share "front", c2 and c3
 * share "back" (internal, c2 with a static address). c1→c2 and c2→c3 work by name and address,
 * c1→c3 does not, either way. Then c1 joins "back" through a plan: an in-place update, no
 * restart, and c1 reaches c3. Destroy leaves nothing. Root only.
 */
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import t from "tap";
import { inspected, makeE2e } from "./e2e-harness.js";

if (process.getuid?.() !== 0) {
  t.plan(0, "needs root");
  process.exit(0);
}

const e = await makeE2e("twonet");
t.teardown(() => e.cleanup());

interface Rec {
  id: string;
  pid?: number;
  network?: { endpoints: Array<{ network: string; ipv4Address: string }> };
}

t.test("two networks: isolation by name and address, in-place attach, destroy", async (t) => {
  const stack = await e.example("two-networks");
  const apply = await e.cli(["-C", stack, "apply", "--yes"]);
  t.equal(apply.code, 0, apply.stderr);
  t.match(apply.stdout, /Apply complete! Resources: 5 added, 0 changed, 0 destroyed\./);

  const rec = async (n: string) => inspected<Rec>(await e.cli(["inspect", "--json", `two-networks-${n}`]));
  const ip = (r: Rec, net: string) => r.network?.endpoints.find((x) => x.network === net)?.ipv4Address ?? "none";
  const [c1, c2, c3] = [await rec("c1"), await rec("c2"), await rec("c3")];
  t.match(ip(c1, "two-networks_front"), /^172\.31\.10\./);
  t.equal(ip(c2, "two-networks_back"), "172.31.20.10", "c2's static address on back");
  t.match(ip(c3, "two-networks_back"), /^172\.31\.20\./);

  // busybox httpd daemonises: each container serves its /etc, so /hostname says who answered.
  // (Inside `sh -c`: the CLI takes a bare -h anywhere on its command line for --help.)
  for (const n of ["c1", "c2", "c3"]) t.equal((await e.cli(["exec", `two-networks-${n}`, "sh", "-c", "httpd -p 80 -h /etc"])).code, 0, `httpd in ${n}`);
  // A fetch that must fail could wait for the kernel's connect timeout: `timeout` bounds it (not wget -T, which crashes).
  const fetch = async (from: string, host: string) => {
    const r = await e.cli(["exec", `two-networks-${from}`, "timeout", "3", "wget", "-q", "-O", "-", `http://${host}/hostname`]);
    return r.code === 0 ? r.stdout.trim() : `failed (${r.code}) ${r.stderr.trim()}`;
  };

  t.equal(await fetch("c1", "two-networks-c2"), "two-networks-c2", "c1 → c2 by name");
  t.equal(await fetch("c1", ip(c2, "two-networks_front")), "two-networks-c2", "c1 → c2 by address");
  t.equal(await fetch("c2", "two-networks-c3"), "two-networks-c3", "c2 → c3 by name");
  t.equal(await fetch("c2", ip(c3, "two-networks_back")), "two-networks-c3", "c2 → c3 by address");
  t.equal(await fetch("c3", "172.31.20.10"), "two-networks-c2", "c3 → c2 by its static address");
  t.match(await fetch("c1", "two-networks-c3"), /^failed/, "c1 → c3 by name fails (no such name on front)");
  t.match(await fetch("c1", ip(c3, "two-networks_back")), /^failed/, "c1 → c3 by address fails (isolation)");
  t.match(await fetch("c3", ip(c1, "two-networks_front")), /^failed/, "c3 → c1 by address fails");
  t.match(await fetch("c1", "172.31.20.10"), /^failed/, "c1 → c2's address on back fails too");

  const plan = await e.cli(["-C", stack, "plan", "--detailed-exitcode"]);
  t.equal(plan.code, 0, `no changes right after apply:\n${plan.stdout}${plan.stderr}`);

  // c1 joins back as well: connect in place, same container, same process.
  const file = join(stack, "infra.ts");
  const text = await readFile(file, "utf8");
  const from = 'new Container(stack, "c1", { image: "busybox", command: idle, network: front });';
  t.ok(text.includes(from), "the stack declares c1 as expected");
  await writeFile(file, text.replace(from, 'new Container(stack, "c1", { image: "busybox", command: idle, networks: [front, back] });'));
  const attach = await e.cli(["-C", stack, "plan", "--detailed-exitcode"]);
  t.equal(attach.code, 2, attach.stderr);
  t.match(attach.stdout, "# container.c1 will be updated in-place");
  t.match(attach.stdout, "Plan: 0 to add, 1 to change, 0 to destroy.");
  const attachApply = await e.cli(["-C", stack, "apply", "--yes"]);
  t.equal(attachApply.code, 0, attachApply.stderr);
  const c1b = await rec("c1");
  t.equal(c1b.id, c1.id, "same container");
  t.equal(c1b.pid, c1.pid, "not restarted");
  t.match(ip(c1b, "two-networks_back"), /^172\.31\.20\./, "c1 has an address on back now");
  t.equal(ip(c1b, "two-networks_front"), ip(c1, "two-networks_front"), "and keeps its address on front");
  t.equal(await fetch("c1", ip(c3, "two-networks_back")), "two-networks-c3", "c1 → c3 by address works now");
  t.equal((await e.cli(["-C", stack, "plan", "--detailed-exitcode"])).code, 0, "converged after the attach");

  const destroy = await e.cli(["-C", stack, "destroy", "--yes"]);
  t.equal(destroy.code, 0, destroy.stderr);
  t.match(destroy.stdout, "Destroy complete! Resources: 5 destroyed.");
  t.equal((await e.cli(["ps", "-a", "-q"])).stdout, "", "no container");
  t.notMatch((await e.cli(["network", "ls"])).stdout, "two-networks", "no network of the stack");
  const routes = (await import("node:child_process")).execFileSync("ip", ["-4", "route"], { encoding: "utf8" });
  t.notMatch(routes, /172\.31\.(10|20)\.0\/24/, "the bridges of both subnets are gone");
  t.same(await e.leftovers(), [], "no runc state, netns, mount, conmon, bridge, veth, rule left");
});
