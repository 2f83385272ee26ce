/**
 * Podman as a peer for bench/run-rm.ts, when it is installed: `podman run --rm busybox true` with a
 * store of its own under the bench's temp dir, the same busybox layer imported as its image, and
 * (in bridge mode) inside a network namespace the bench makes, so that netavark's bridge and
 * firewall rules live and die there. Returns undefined when podman is not installed.
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";

export interface PodmanPeer {
  /** argv of one timed run. */
  runArgv: string[];
  version: string;
  cleanup(): void;
}

const sh = (file: string, argv: string[], input?: Buffer) => spawnSync(file, argv, { input, stdio: [input ? "pipe" : "ignore", "pipe", "pipe"], maxBuffer: 1 << 28 });

export function podmanPeer(dir: string, lowerDir: string, mode: string): PodmanPeer | undefined {
  const v = sh("podman", ["--version"]);
  if (v.status !== 0) return undefined;
  const base = ["--root", join(dir, "podman-root"), "--runroot", join(dir, "podman-run")];
  const tar = sh("tar", ["-C", lowerDir, "-c", "."]);
  const imported = sh("podman", [...base, "import", "-", "localhost/busybox:latest"], tar.stdout);
  if (imported.status !== 0) throw new Error(`podman import: ${imported.stderr.toString()}`);
  const ns = `bench-podman-${process.pid}`;
  if (mode !== "none" && sh("ip", ["netns", "add", ns]).status !== 0) throw new Error(`ip netns add ${ns} failed`);
  // This host's hard limits are below podman's default nofile/nproc ulimits, which runc then refuses.
  const ulimits = ["--ulimit", "nofile=1024:20000", "--ulimit", "nproc=1024:1024"];
  const podman = [...base, "run", "--rm", ...ulimits, ...(mode === "none" ? ["--network", "none"] : []), "busybox", "true"];
  return {
    runArgv: mode === "none" ? ["podman", ...podman] : ["nsenter", `--net=/run/netns/${ns}`, "podman", ...podman],
    version: v.stdout.toString().trim(),
    cleanup() {
      sh("podman", [...base, "system", "reset", "--force"]);
      if (mode !== "none") sh("ip", ["netns", "del", ns]);
    },
  };
}
