// `run` / `create` flags into the ContainerSpec the engine gets: the Docker flags added for scripts.
import t from "tap";
import { parseContainerFlags, parseExpose } from "../../src/cli/commands/container-flags.js";

const parse = (argv: string[]) => parseContainerFlags(argv, "run", () => "");

t.test("--ulimit, --sysctl, --device, --ip, --network-alias", async (t) => {
  const { spec } = parse(["--ulimit", "nofile=1024:2048", "--ulimit", "nproc=64", "--sysctl", "net.ipv4.ip_forward=1", "--device", "/dev/fuse", "--device", "/dev/sda:/dev/xvda:r",
    "--network", "appnet", "--ip", "10.9.0.7", "--network-alias", "db", "--network-alias", "primary", "busybox"]);
  t.same(spec.ulimits, [{ name: "nofile", soft: 1024, hard: 2048 }, { name: "nproc", soft: 64, hard: 64 }]);
  t.same(spec.sysctls, { "net.ipv4.ip_forward": "1" });
  t.same(spec.devices, [{ hostPath: "/dev/fuse", containerPath: "/dev/fuse", permissions: "rwm" }, { hostPath: "/dev/sda", containerPath: "/dev/xvda", permissions: "r" }]);
  t.same(spec.networks, [{ network: "appnet", ipv4Address: "10.9.0.7", aliases: ["db", "primary"] }]);
  t.throws(() => parse(["--ip", "10.9.0.7", "busybox"]), { code: "INFRA_CLI_USER_NETWORK_NEEDED" });
  t.throws(() => parse(["--network", "bridge", "--network-alias", "x", "busybox"]), { code: "INFRA_CLI_USER_NETWORK_NEEDED" });
  t.throws(() => parse(["--network", "n", "--ip", "10.9.0.300", "busybox"]), { code: "INFRA_CLI_BAD_IP" });
  t.throws(() => parse(["--ulimit", "nofile=10:5", "busybox"]), { code: "INFRA_CLI_BAD_ULIMIT" });
  t.throws(() => parse(["--sysctl", "novalue", "busybox"]), { code: "INFRA_CLI_BAD_SYSCTL" });
  t.throws(() => parse(["--device", "relative", "busybox"]), { code: "INFRA_CLI_BAD_DEVICE" });
});

t.test("--pull, -a, --expose, -P, --cidfile; combined short flags", async (t) => {
  t.equal(parse(["--pull", "never", "busybox"]).spec.image, "busybox");
  t.equal(parse(["--pull", "missing", "busybox"]).spec.image, "busybox");
  t.equal(parse(["--pull", "always", "busybox"]).spec.image, "busybox");
  t.throws(() => parse(["--pull", "often", "busybox"]), { code: "INFRA_CLI_FLAG_VALUE_INVALID" });
  t.same(parse(["-a", "stdout", "-a", "STDERR", "busybox"]).f.lists.attach, ["stdout", "STDERR"]);
  t.throws(() => parse(["-a", "stdlog", "busybox"]), { code: "INFRA_CLI_BAD_ATTACH" });
  t.same(parseExpose("8000-8002/udp", "run"), [{ port: 8000, protocol: "udp" }, { port: 8001, protocol: "udp" }, { port: 8002, protocol: "udp" }]);
  t.throws(() => parse(["--expose", "http", "busybox"]), { code: "INFRA_CLI_BAD_EXPOSE" });
  const { f, spec } = parse(["-itdP", "--cidfile", "c.id", "-p8080:80", "-e", "A=1", "busybox", "sh", "-c", "x"]);
  t.same([f.booleans.interactive, f.booleans.tty, f.booleans.detach, f.booleans["publish-all"], f.strings.cidfile], [true, true, true, true, "c.id"]);
  t.same(spec.ports, [{ containerPort: 80, protocol: "tcp", hostPort: 8080 }]);
  t.same(spec.command, ["sh", "-c", "x"]);
});
