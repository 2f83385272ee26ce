/**
 * infra-host (native/infra-host.c) against the kernel: a pinned namespace, a veth into a bridge with
 * the address, MAC, route, hairpin and lo as `ip` sees them; release and removal leave nothing;
 * bad input and clashes fail with the step named and nothing half-made. Then the manager on top,
 * with the helper and with `ip` (INFRA_HOST_HELPER=off): the same endpoint either way. An overlay
 * mount of two lower directories and its removal; bad directories fail naming them, mounting
 * nothing. Root only.
 */
import t, { type Test } from "tap";
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { HostHelper, findHostHelper } from "../../../src/providers/local-runtime/host/host-helper.js";
import { createNetworkManager } from "../../../src/providers/local-runtime/network/network-manager.js";

if (process.getuid?.() !== 0) {
  t.plan(0, "needs root");
  process.exit(0);
}

const repo = fileURLToPath(new URL("../../../", import.meta.url));
const id = randomBytes(3).toString("hex");
const P = `h${id}`; // link names: h<id>br, h<id>v1 ...
const dir = mkdtempSync(join(tmpdir(), `infra-hosthelper-${id}-`));
const BR = `${P}br`;
const SUBNET = "10.215.7"; // addresses inside the test's own namespaces only

const ip = (...args: string[]) => execFileSync("ip", args, { encoding: "utf8" });
const ipIn = (ns: string, ...args: string[]) => execFileSync("nsenter", [`--net=${ns}`, "ip", ...args], { encoding: "utf8" });
const linkJson = (name: string) => (JSON.parse(ip("-j", "-d", "link", "show", "dev", name)) as Array<Record<string, any>>)[0]!;
const hostLinkExists = (name: string) => existsSync(`/sys/class/net/${name}`);
const mounted = (path: string) => readFileSync("/proc/self/mountinfo", "utf8").split("\n").some((l) => l.split(" ")[4] === path);
const linksIn = (ns: string) => (JSON.parse(ipIn(ns, "-j", "link", "show")) as Array<{ ifname: string }>).map((l) => l.ifname).sort();
async function gone(name: string): Promise<boolean> {
  for (let i = 0; i < 200 && hostLinkExists(name); i++) await new Promise((r) => setTimeout(r, 10));
  return !hostLinkExists(name);
}

let bin = "";
let helper: HostHelper;
t.before(() => {
  // Built by `npm run build`; the test builds just this target when it is missing or stale.
  const r = spawnSync("make", ["-s", "-C", join(repo, "native"), "../dist/native/infra-host"], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`building infra-host failed: ${r.stderr}`);
  bin = findHostHelper({})!;
  helper = new HostHelper(bin);
  ip("link", "add", "name", BR, "type", "bridge");
  ip("link", "set", BR, "up");
});

t.teardown(async () => {
  await helper?.settle().catch(() => undefined);
  helper?.close();
  for (const l of JSON.parse(ip("-j", "link", "show")) as Array<{ ifname: string }>) if (l.ifname.startsWith(P)) spawnSync("ip", ["link", "del", l.ifname]);
  for (const l of readFileSync("/proc/self/mountinfo", "utf8").split("\n").map((x) => x.split(" ")[4] ?? "").filter((m) => m.startsWith(dir)).reverse())
    spawnSync("umount", ["-l", l]);
  rmSync(dir, { recursive: true, force: true });
});

t.test("a veth endpoint: namespace, address, MAC, route, bridge, hairpin, lo; then nothing left", async (t) => {
  const ns = join(dir, "netns", "c1"); // the parent directory does not exist yet: the helper makes it
  t.same(await helper.request("netns-add", { path: ns }), ["created"]);
  t.ok(mounted(ns), "the namespace is pinned on its file");
  t.same(await helper.request("netns-add", { path: ns }), ["kept"], "an existing pinned namespace is kept (a restarted donor)");
  t.same(linksIn(ns), ["lo"]);
  t.match(ipIn(ns, "-br", "link", "show", "lo"), /UNKNOWN|UP/, "lo is up");
  t.match(ipIn(ns, "-br", "addr", "show", "lo"), /127\.0\.0\.1\/8/);

  await helper.request("veth-add", { netns: ns, bridge: BR, host: `${P}v1`, ifname: "eth0", mac: "02:42:0a:d7:07:02", addr: `${SUBNET}.2/24`, gw: `${SUBNET}.1` });
  const eth0 = (JSON.parse(ipIn(ns, "-j", "addr", "show", "dev", "eth0")) as Array<Record<string, any>>)[0]!;
  t.equal(eth0["address"], "02:42:0a:d7:07:02", "MAC");
  t.ok((eth0["flags"] as string[]).includes("UP"), "eth0 up");
  t.same((eth0["addr_info"] as Array<{ family: string; local: string; prefixlen: number }>).filter((a) => a.family === "inet").map((a) => `${a.local}/${a.prefixlen}`), [`${SUBNET}.2/24`], "address");
  const routes = JSON.parse(ipIn(ns, "-j", "route", "show")) as Array<{ dst: string; gateway?: string; dev: string }>;
  t.ok(routes.some((r) => r.dst === "default" && r.gateway === `${SUBNET}.1` && r.dev === "eth0"), "default route via the gateway");
  const host = linkJson(`${P}v1`);
  t.equal(host["master"], BR, "host end on the bridge");
  t.ok((host["flags"] as string[]).includes("UP"), "host end up");
  t.equal(host["linkinfo"]?.["info_slave_data"]?.["hairpin"], true, "hairpin on (published ports reached from the same bridge)");
  t.same(await helper.request("links", { netns: ns }), ["lo", "eth0"]);

  // Release: off the bridge and down at once; deleted meanwhile, with its peer.
  await helper.request("link-release", { name: `${P}v1` });
  const shown = spawnSync("ip", ["-j", "-d", "link", "show", "dev", `${P}v1`], { encoding: "utf8" });
  if (shown.status === 0) {
    // Still there (being deleted): no longer on the bridge, and down.
    const released = (JSON.parse(shown.stdout) as Array<Record<string, any>>)[0]!;
    t.equal(released["master"], undefined, "detached from the bridge at once");
    t.notOk((released["flags"] as string[]).includes("UP"), "down at once");
  }
  await helper.settle();
  t.notOk(hostLinkExists(`${P}v1`), "host end deleted after settle");
  t.same(linksIn(ns), ["lo"], "its peer went with it");
  t.same(await helper.request("link-release", { name: `${P}v1` }), [], "releasing a link that is gone is fine");

  // The same names again at once (a restart): the helper waits for a deletion still running.
  await helper.request("veth-add", { netns: ns, bridge: BR, host: `${P}v1`, ifname: "eth0", mac: "02:42:0a:d7:07:02", addr: `${SUBNET}.2/24` });
  await helper.request("link-release", { name: `${P}v1` });
  await helper.request("veth-add", { netns: ns, bridge: BR, host: `${P}v1`, ifname: "eth0", mac: "02:42:0a:d7:07:02", addr: `${SUBNET}.2/24`, mtu: 1400 });
  t.equal(linkJson(`${P}v1`)["master"], BR, "re-created on the bridge right after its release");
  t.equal(linkJson(`${P}v1`)["mtu"], 1400, "MTU on the host end");
  t.equal((JSON.parse(ipIn(ns, "-j", "link", "show", "dev", "eth0")) as Array<{ mtu: number }>)[0]!.mtu, 1400, "and on the peer");

  await helper.request("netns-del", { path: ns });
  t.notOk(existsSync(ns), "namespace file removed");
  t.notOk(mounted(ns), "and unmounted");
  t.ok(await gone(`${P}v1`), "the namespace took the pair with it");
  t.same(await helper.request("netns-del", { path: ns }), [], "removing it twice is fine");
});

t.test("namespaces made ahead: each netns-add pins a new one, with lo up; none is pinned twice", async (t) => {
  // The helper makes the next namespace while idle: these three take spares (but the first).
  const paths = [1, 2, 3].map((i) => join(dir, `spare-ns${i}`));
  for (const p of paths) {
    t.same(await helper.request("netns-add", { path: p }), ["created"], `${p} created`);
    await new Promise((r) => setTimeout(r, 20)); // idle: time to make the next one
  }
  const inodes = paths.map((p) => execFileSync("stat", ["-L", "-c", "%i", p], { encoding: "utf8" }).trim());
  t.equal(new Set(inodes).size, 3, "three different namespaces");
  t.notOk(inodes.includes(execFileSync("stat", ["-L", "-c", "%i", "/proc/self/ns/net"], { encoding: "utf8" }).trim()), "none of them the host's");
  for (const p of paths) {
    t.match(ipIn(p, "-o", "link", "show", "lo"), /[<,]UP[,>]/, "lo is up");
    t.same(linksIn(p), ["lo"], "nothing else in it");
  }
  for (const p of paths) await helper.request("netns-del", { path: p });
  t.notOk(paths.some((p) => mounted(p) || existsSync(p)), "removed");
});

t.test("spawn-shim: its child runs in a session of its own and is reaped when it exits", async (t) => {
  const out = join(dir, "spawned.txt");
  const script = join(dir, "fake-shim.sh");
  // Stands in for infra-shim: records its arguments and session, then exits.
  writeFileSync(script, `#!/bin/sh\necho "$1 $2 $(cut -d' ' -f6 /proc/$$/stat) $$" > ${out}\n`, { mode: 0o755 });
  const [pid] = await helper.request("spawn-shim", { bin: script, socket: "/some/sock" });
  t.match(pid, /^\d+$/, "answers the pid");
  for (let i = 0; i < 200 && !existsSync(out); i++) await new Promise((r) => setTimeout(r, 10));
  const [flag, sock, session, self] = readFileSync(out, "utf8").trim().split(" ");
  t.same([flag, sock], ["--spare-socket", "/some/sock"], "run as BIN --spare-socket SOCKET");
  t.equal(self, pid, "the pid answered is the child's");
  t.equal(session, pid, "a session of its own");
  let reaped = false;
  for (let i = 0; i < 200 && !reaped; i++) {
    reaped = !existsSync(`/proc/${pid}`);
    if (!reaped) await new Promise((r) => setTimeout(r, 10));
  }
  t.ok(reaped, "reaped by the helper once it exited (no zombie left)");
  await t.rejects(helper.request("spawn-shim", { bin: "relative/infra-shim", socket: "/s" }), /absolute path/, "a relative binary is refused");
  const oneShot = spawnSync(bin, ["spawn-shim", "bin=/bin/true", "socket=/s"], { encoding: "utf8" });
  t.equal(oneShot.status, 1);
  t.match(oneShot.stderr, /needs serve/, "one-shot mode refuses it (nobody would reap the child)");
});

t.test("errors name the step and errno, and leave nothing behind", async (t) => {
  const ns = join(dir, "netns", "c2");
  await helper.request("netns-add", { path: ns });
  const base = { netns: ns, bridge: BR, host: `${P}v2`, ifname: "eth0", mac: "02:42:0a:d7:07:03", addr: `${SUBNET}.3/24` };

  await t.rejects(helper.request("veth-add", { ...base, bridge: `${P}nobr` }), { code: "INFRA_NET_LINK_FAILED", category: "NotFound", message: `find bridge ${P}nobr: No such device (errno 19)` });
  t.notOk(hostLinkExists(`${P}v2`), "no host end");
  t.same(linksIn(ns), ["lo"], "no peer");

  await t.rejects(helper.request("veth-add", { ...base, host: BR }), { category: "AlreadyExists", message: new RegExp(`^create veth ${BR} .*File exists \\(errno 17\\)$`) }, "a host name in use");
  t.same(linksIn(ns), ["lo"], "no peer");

  await helper.request("veth-add", base);
  await t.rejects(helper.request("veth-add", { ...base, host: `${P}v3` }), { category: "AlreadyExists", message: /peer eth0 in .*File exists/ }, "a peer name in use inside the namespace");
  t.notOk(hostLinkExists(`${P}v3`), "no host end left");
  await helper.request("link-del", { name: `${P}v2` });
  t.notOk(hostLinkExists(`${P}v2`));

  // Fails after the pair exists (the gateway is not on the subnet): the pair goes again.
  await t.rejects(helper.request("veth-add", { ...base, gw: "10.216.0.1" }), { category: "Internal", message: /^add default route via 10\.216\.0\.1 dev eth0: .*\(errno 101\)$/ });
  t.notOk(hostLinkExists(`${P}v2`), "host end removed after the failed route");
  t.same(linksIn(ns), ["lo"], "peer removed too");

  await t.rejects(helper.request("veth-add", { ...base, mac: "zz" }), { category: "Invalid", message: /parse MAC address 'zz'/ });
  await t.rejects(helper.request("veth-add", { ...base, addr: "10.1.2.3" }), { category: "Invalid", message: /parse address '10\.1\.2\.3'/ });
  await t.rejects(helper.request("veth-add", { ...base, host: "x".repeat(16) }), { category: "Invalid", message: /at most 15 characters/ });
  await t.rejects(helper.request("veth-add", { ...base, colour: "blue" }), { category: "Invalid", message: /unknown option colour/ });
  await t.rejects(helper.request("veth-add", { netns: ns }), { category: "Invalid", message: /missing option/ });
  await t.rejects(helper.request("veth-add", { ...base, netns: join(dir, "no-such-ns") }), { category: "NotFound", message: /open namespace/ });
  t.notOk(hostLinkExists(`${P}v2`));

  // One-shot mode, as a person runs it: the same message on stderr, exit 1.
  const r = spawnSync(bin, ["veth-add", ...Object.entries({ ...base, bridge: `${P}nobr` }).map(([k, v]) => `${k}=${v}`)], { encoding: "utf8" });
  t.equal(r.status, 1);
  t.equal(r.stderr, `infra-host: find bridge ${P}nobr: No such device (errno 19)\n`);
  const ok = spawnSync(bin, ["links", `netns=${ns}`], { encoding: "utf8" });
  t.same([ok.status, ok.stdout], [0, "lo\n"]);

  await helper.request("netns-del", { path: ns });
  t.notOk(existsSync(ns));
});

t.test("a macvlan endpoint on a parent, configured inside the namespace", async (t) => {
  const ns = join(dir, "netns", "c3");
  await helper.request("netns-add", { path: ns });
  ip("link", "add", "name", `${P}mp`, "type", "veth", "peer", "name", `${P}mq`);
  ip("link", "set", `${P}mp`, "up");
  await helper.request("macvlan-add", { netns: ns, parent: `${P}mp`, mode: "bridge", ifname: "eth0", mac: "02:42:0a:d7:08:05", addr: "10.215.8.5/24", gw: "10.215.8.1" });
  const link = (JSON.parse(ipIn(ns, "-j", "-d", "addr", "show", "dev", "eth0")) as Array<Record<string, any>>)[0]!;
  t.equal(link["address"], "02:42:0a:d7:08:05");
  t.equal(link["linkinfo"]?.["info_kind"], "macvlan");
  t.equal(link["linkinfo"]?.["info_data"]?.["mode"], "bridge");
  t.ok((link["addr_info"] as Array<{ local: string }>).some((a) => a.local === "10.215.8.5"));
  t.match(ipIn(ns, "route", "show", "default"), /default via 10\.215\.8\.1 dev eth0/);
  await t.rejects(helper.request("macvlan-add", { netns: ns, parent: `${P}mp`, mode: "sideways", ifname: "eth1", mac: "02:42:0a:d7:08:06", addr: "10.215.8.6/24" }), { category: "Invalid", message: /macvlan mode 'sideways'/ });
  await helper.request("link-del", { name: "eth0", netns: ns });
  t.same(linksIn(ns), ["lo"]);
  await helper.request("netns-del", { path: ns });
  ip("link", "del", `${P}mp`);
});

/** One container on the default bridge through the manager; what `ip` sees, and what is left after. */
async function throughManager(t: Test, helperSetting: string) {
  const saved = process.env["INFRA_HOST_HELPER"];
  process.env["INFRA_HOST_HELPER"] = helperSetting;
  const sub = randomBytes(2).toString("hex");
  const root = join(dir, `mgr-${sub}`);
  const mgr = await createNetworkManager({
    root: join(root, "state"), run: join(root, "run"), tablePrefix: `infra_${P}${sub}`, bridgePrefix: `${P}${sub.slice(0, 2)}`, pool: ["10.217.0.0/16"], dnsPort: 20000 + Math.floor(Math.random() * 20000),
  });
  if (saved === undefined) delete process.env["INFRA_HOST_HELPER"];
  else process.env["INFRA_HOST_HELPER"] = saved;
  try {
    await mgr.init();
    const cid = `${P}c${sub}`;
    // Both asked for at once, as the engine does: the set-up queues right behind the namespace.
    const [ns, res] = await Promise.all([
      mgr.createNetns(cid),
      mgr.setUpContainer({ containerId: cid, containerName: "c", netnsPath: mgr.netnsPath(cid), endpoints: [{ network: "bridge", aliases: [] }], ports: [], links: [] }),
    ]);
    t.equal(ns, mgr.netnsPath(cid));
    const ep = res.endpoints[0]!;
    const eth0 = (JSON.parse(ipIn(ns, "-j", "addr", "show", "dev", "eth0")) as Array<Record<string, any>>)[0]!;
    const seen = {
      mac: eth0["address"],
      addr: (eth0["addr_info"] as Array<{ family: string; local: string; prefixlen: number }>).filter((a) => a.family === "inet").map((a) => `${a.local}/${a.prefixlen}`),
      route: (JSON.parse(ipIn(ns, "-j", "route", "show", "default")) as Array<{ gateway: string }>)[0]?.gateway,
      master: linkJson(ep.hostIfname!)["master"],
      hairpin: linkJson(ep.hostIfname!)["linkinfo"]?.["info_slave_data"]?.["hairpin"],
      links: linksIn(ns),
    };
    t.same(seen, { mac: ep.macAddress, addr: [`${ep.ipv4Address}/${ep.prefixLength}`], route: ep.gateway, master: `${P}${sub.slice(0, 2)}0`, hairpin: true, links: ["eth0", "lo"] });
    await mgr.tearDownContainer(cid);
    await mgr.removeNetns(cid);
    t.notOk(existsSync(ns), "namespace file removed");
    t.notOk(mounted(ns), "namespace unmounted");
    t.ok(await gone(ep.hostIfname!), "veth gone");
    t.equal(mgr.containerState(cid), undefined, "address released");
    return seen;
  } finally {
    await mgr.uninstall();
    await mgr.close();
    t.notOk(hostLinkExists(`${P}${sub.slice(0, 2)}0`), "bridge gone with uninstall");
  }
}

t.test("the manager sets up and tears down the same endpoint with the helper and with ip", async (t) => {
  const withHelper = await throughManager(t, bin);
  const withIp = await throughManager(t, "off");
  const shape = (x: typeof withHelper) => ({ ...x, mac: "", addr: [], route: "", master: "" });
  t.same(shape(withHelper), shape(withIp), "hairpin and links alike (each run has its own bridge and pool)");
});

t.test("an overlay of two lower directories: files from each, writes in upper; umount leaves nothing", async (t) => {
  const o = join(dir, "overlay");
  const [l1, l2, upper, work, target] = ["l1", "l2", "upper", "work", "rootfs"].map((d) => join(o, d)) as [string, string, string, string, string];
  for (const d of [l1, l2, upper, work, target]) mkdirSync(d, { recursive: true });
  writeFileSync(join(l1, "top"), "from l1\n");
  writeFileSync(join(l2, "bottom"), "from l2\n");
  writeFileSync(join(l2, "shadowed"), "l2\n");
  writeFileSync(join(l1, "shadowed"), "l1\n");

  t.same(await helper.request("mount-overlay", { lower: `${l1}:${l2}`, upper, work, target }), []);
  t.ok(mounted(target), "mounted on the target");
  const line = readFileSync("/proc/self/mountinfo", "utf8").split("\n").find((l) => l.split(" ")[4] === target)!;
  t.match(line, new RegExp(` - overlay overlay .*lowerdir=${l1}:${l2},upperdir=${upper},workdir=${work}`), "overlay with the given directories");
  t.equal(readFileSync(join(target, "top"), "utf8"), "from l1\n", "a file of the first lower");
  t.equal(readFileSync(join(target, "bottom"), "utf8"), "from l2\n", "a file of the second lower");
  t.equal(readFileSync(join(target, "shadowed"), "utf8"), "l1\n", "the first lower is on top");
  writeFileSync(join(target, "new"), "written\n");
  t.equal(readFileSync(join(upper, "new"), "utf8"), "written\n", "a write lands in upper");
  t.notOk(existsSync(join(l1, "new")) || existsSync(join(l2, "new")), "and in no lower");

  t.same(await helper.request("umount", { target }), []);
  t.notOk(mounted(target), "unmounted");
  t.same(readdirSync(target), [], "the target is an empty directory again");
  t.same(await helper.request("umount", { target }), [], "unmounting what is not mounted is fine");
  t.same(await helper.request("umount", { target: join(o, "no-such-dir") }), [], "and a missing target too");
});

t.test("overlay errors name the step, the path and errno, and mount nothing", async (t) => {
  const o = join(dir, "overlay-bad");
  const [l1, upper, work, target] = ["l1", "upper", "work", "rootfs"].map((d) => join(o, d)) as [string, string, string, string];
  for (const d of [l1, upper, work, target]) mkdirSync(d, { recursive: true });
  writeFileSync(join(o, "file"), "");
  const base = { lower: l1, upper, work, target };
  const bad: Array<[Record<string, string>, RegExp, string]> = [
    [{ ...base, lower: `${l1}:${join(o, "nope")}` }, new RegExp(`^check lower directory ${join(o, "nope")}: No such file or directory \\(errno 2\\)$`), "NotFound"],
    [{ ...base, upper: join(o, "nope") }, new RegExp(`^check upper directory ${join(o, "nope")}: .*\\(errno 2\\)$`), "NotFound"],
    [{ ...base, work: join(o, "file") }, new RegExp(`^check work directory ${join(o, "file")}: Not a directory \\(errno 20\\)$`), "Invalid"],
    [{ ...base, target: join(o, "nope") }, new RegExp(`^check target directory ${join(o, "nope")}: .*\\(errno 2\\)$`), "NotFound"],
    [{ ...base, lower: `${l1},upperdir=/` }, /cannot be passed to overlay/, "Invalid"],
    // More lower directories than one page of mount options holds: refused before the kernel would cut it short.
    [{ ...base, lower: Array(400).fill(l1).join(":") }, /^mount overlay on .* \(options are \d+ bytes .* the kernel takes at most \d+.*\(errno 7\)$/, "Invalid"],
    [{ lower: l1, upper, work }, /missing option target/, "Invalid"],
  ];
  for (const [args, message, category] of bad) {
    await t.rejects(helper.request("mount-overlay", args), { code: "INFRA_HOST_MOUNT_FAILED", category, message });
    t.notOk(mounted(target), "nothing mounted");
  }
  t.same(readdirSync(upper), [], "nothing written to upper");
  // One-shot mode prints the same on stderr.
  const r = spawnSync(bin, ["mount-overlay", `lower=${join(o, "nope")}`, `upper=${upper}`, `work=${work}`, `target=${target}`], { encoding: "utf8" });
  t.same([r.status, r.stderr], [1, `infra-host: check lower directory ${join(o, "nope")}: No such file or directory (errno 2)\n`]);
});
