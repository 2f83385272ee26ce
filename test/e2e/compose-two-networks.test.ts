/**
 * examples/compose-two-networks (a compose file as the stack) through the real CLI and engine:
 * service names and aliases resolve on shared networks only, c1 cannot reach c3, c4 runs in
 * c2's network namespace (same addresses, c2's hostname, loopback shared) and keeps its network
 * across a restart of c2; a second plan is empty; destroy leaves nothing. Root only.
 */
import t from "tap";
import { inspected, makeE2e } from "./e2e-harness.js";

if (process.getuid?.() !== 0) {
  t.plan(0, "needs root");
  process.exit(0);
}

const e = await makeE2e("compose");
t.teardown(() => e.cleanup());

interface Rec {
  id: string;
  pid?: number;
  network?: { endpoints: Array<{ network: string; ipv4Address: string }> };
}

const P = "compose-two-networks";

t.test("compose two networks: names, isolation, a shared namespace, destroy", async (t) => {
  const stack = await e.example("compose-two-networks");
  const apply = await e.cli(["-C", stack, "apply", "--yes"]);
  t.equal(apply.code, 0, apply.stderr);
  t.match(apply.stdout, /Apply complete! Resources: 6 added, 0 changed, 0 destroyed\./);

  const rec = async (svc: string) => inspected<Rec>(await e.cli(["inspect", "--json", `${P}-${svc}-1`]));
  const exec = (svc: string, script: string) => e.cli(["exec", `${P}-${svc}-1`, "sh", "-c", script]);
  // The services serve / with busybox httpd: /etc/hostname says who answered. `timeout` bounds a fetch that must fail.
  const fetch = async (from: string, host: string) => {
    const r = await exec(from, `timeout 3 wget -q -O - http://${host}/etc/hostname`);
    return r.code === 0 ? r.stdout.trim() : `failed (${r.code}) ${r.stderr.trim()}`;
  };
  const c2 = await rec("c2");
  const c3 = await rec("c3");
  const back = c3.network?.endpoints[0]?.network ?? "?";
  t.equal(back, `${P}_back`);

  t.equal(await fetch("c1", "c2"), `${P}-c2-1`, "c1 → c2 by service name on front");
  t.equal(await fetch("c3", "gateway"), `${P}-c2-1`, "c3 → c2 by its alias on back");
  t.equal(await fetch("c3", c2.network?.endpoints.find((x) => x.network === back)?.ipv4Address ?? "?"), `${P}-c2-1`, "c3 → c2 by address");
  t.match(await fetch("c1", "c3"), /^failed/, "c1 → c3 by name fails");
  t.match(await fetch("c1", c3.network?.endpoints[0]?.ipv4Address ?? "?"), /^failed/, "c1 → c3 by address fails");
  t.match(await fetch("c1", "gateway"), /^failed/, "an alias on back is unknown on front");

  // c4 shares c2's namespace: same addresses, c2's hostname, c2's httpd on loopback.
  const addrs = async (svc: string) => (await exec(svc, "ip -4 -o addr show | awk '{print $2, $4}' | sort")).stdout;
  const c2Addrs = await addrs("c2");
  t.match(c2Addrs, /eth0 \d+\.\d+\.\d+\.\d+\/24\neth1 /, "c2 is on two networks");
  t.equal(await addrs("c4"), c2Addrs, "c4 sees c2's interfaces");
  t.equal((await exec("c4", "hostname")).stdout.trim(), `${P}-c2-1`, "c4 has c2's hostname");
  t.equal(await fetch("c4", "127.0.0.1"), `${P}-c2-1`, "c4 reaches c2's server on the shared loopback");

  // A restart of the donor leaves the joiner with a network.
  const c4 = await rec("c4");
  const restart = await e.cli(["restart", "-t", "1", `${P}-c2-1`]);
  t.equal(restart.code, 0, restart.stderr);
  const c2b = await rec("c2");
  t.not(c2b.pid, c2.pid, "c2 restarted");
  t.equal((await rec("c4")).pid, c4.pid, "c4 kept running");
  t.equal(await addrs("c4"), await addrs("c2"), "c4 still shares c2's interfaces");
  t.match(await addrs("c4"), /eth0 \d+\.\d+\.\d+\.\d+\/24\neth1 /, "and they have addresses");
  t.equal(await fetch("c4", "127.0.0.1"), `${P}-c2-1`, "c4 reaches the restarted c2 on loopback");
  t.equal(await fetch("c1", "c2"), `${P}-c2-1`, "c1 reaches the restarted c2 by name");

  const plan = await e.cli(["-C", stack, "plan", "--detailed-exitcode"]);
  t.equal(plan.code, 0, `no changes after apply:\n${plan.stdout}${plan.stderr}`);

  const destroy = await e.cli(["-C", stack, "destroy", "--yes"]);
  t.equal(destroy.code, 0, destroy.stderr);
  t.match(destroy.stdout, "Destroy complete! Resources: 6 destroyed.");
  t.equal((await e.cli(["ps", "-a", "-q"])).stdout, "", "no container");
  t.notMatch((await e.cli(["network", "ls"])).stdout, P, "no network of the stack");
  t.same(await e.leftovers(), [], "no runc state, netns, mount, conmon, bridge, veth, rule left");
});
