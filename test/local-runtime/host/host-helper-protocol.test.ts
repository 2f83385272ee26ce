/** infra-host's line protocol, pure: requests, answers, and the errors the engine raises from them. */
import t from "tap";
import { encodeRequest, parseReply, replyError } from "../../../src/providers/local-runtime/host/host-helper-protocol.js";

t.test("requests: one line, undefined options left out, values escaped", async (t) => {
  t.equal(
    encodeRequest("veth-add", { netns: "/run/infra/netns/abc", bridge: "infra0", host: "ve1", ifname: "eth0", mac: "02:42:0a:00:00:02", addr: "10.0.0.2/24", gw: undefined, mtu: 1450 }),
    "veth-add netns=/run/infra/netns/abc bridge=infra0 host=ve1 ifname=eth0 mac=02:42:0a:00:00:02 addr=10.0.0.2/24 mtu=1450\n",
  );
  t.equal(encodeRequest("settle", {}), "settle\n");
  t.equal(encodeRequest("netns-add", { path: "/tmp/a b/100%\nx\ty" }), "netns-add path=/tmp/a%20b/100%25%0ax%09y\n", "space, %, newline and tab stay inside one word");
  t.throws(() => encodeRequest("links", { "net ns": "x" }), /bad helper option name/);
  t.equal(
    encodeRequest("mount-overlay", { lower: "/l/a:/l/b", upper: "/c/upper", work: "/c/work", target: "/c/root fs" }),
    "mount-overlay lower=/l/a:/l/b upper=/c/upper work=/c/work target=/c/root%20fs\n",
    "':' between lower directories stays as it is",
  );
});

t.test("answers", async (t) => {
  t.same(parseReply("ok"), { ok: true, words: [] });
  t.same(parseReply("ok lo eth0 eth1"), { ok: true, words: ["lo", "eth0", "eth1"] });
  t.same(parseReply("ok kept"), { ok: true, words: ["kept"] });
  t.same(parseReply("err 17 create veth ve1 (peer eth0 in /run/x) on bridge infra0\tFile exists"), {
    ok: false, errno: 17, step: "create veth ve1 (peer eth0 in /run/x) on bridge infra0", message: "File exists",
  });
  const odd = parseReply("something else");
  t.equal(odd.ok, false);
  t.match(odd, { errno: 0, message: /unexpected line "something else"/ });
});

t.test("errors name the step, the kernel's reason and errno, with a category to branch on", async (t) => {
  const exists = replyError({ ok: false, errno: 17, step: "create veth ve1 (peer eth0 in /n) on bridge b0", message: "File exists" });
  t.equal(exists.code, "INFRA_NET_LINK_FAILED");
  t.equal(exists.category, "AlreadyExists");
  t.equal(exists.message, "create veth ve1 (peer eth0 in /n) on bridge b0: File exists (errno 17)");
  t.match(exists.hint, /already exists/);
  t.equal(replyError({ ok: false, errno: 19, step: "find bridge nope", message: "No such device" }).category, "NotFound");
  t.equal(replyError({ ok: false, errno: 22, step: "parse MAC address 'zz'", message: "Invalid argument" }).category, "Invalid");
  t.equal(replyError({ ok: false, errno: 101, step: "add default route", message: "Network is unreachable" }).category, "Internal");
  t.equal(replyError({ ok: false, errno: 0, step: "read", message: "odd" }).message, "read: odd", "no errno, none shown");
});

t.test("mount errors: their own code and hints, the path and errno in the message", async (t) => {
  const missing = replyError({ ok: false, errno: 2, step: "check lower directory /l/x", message: "No such file or directory" }, "mount-overlay");
  t.equal(missing.code, "INFRA_HOST_MOUNT_FAILED");
  t.equal(missing.category, "NotFound");
  t.equal(missing.message, "check lower directory /l/x: No such file or directory (errno 2)");
  t.match(missing.hint, /directory of the container's root filesystem is missing/);
  const long = replyError({ ok: false, errno: 7, step: "mount overlay on /c/rootfs (options are 5000 bytes…)", message: "Argument list too long" }, "mount-overlay");
  t.equal(long.category, "Invalid");
  t.match(long.hint, /too many layers/);
  t.equal(replyError({ ok: false, errno: 16, step: "unmount /c/rootfs", message: "Device or resource busy" }, "umount").category, "Conflict");
  t.equal(replyError({ ok: false, errno: 2, step: "open namespace /n", message: "No such file or directory" }, "veth-add").code, "INFRA_NET_LINK_FAILED", "network ops keep their code");
});
