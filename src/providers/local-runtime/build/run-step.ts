/**
 * One RUN: the step's rootfs is run as a throw-away runc container (no network unless
 * `--network=host`), in the foreground, with the stage's env, user and workdir. Output is
 * streamed to the caller; the container is always deleted afterwards.
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Layout } from "../layout.js";
import { buildOciSpec } from "../container/oci-spec.js";
import type { OciMount } from "../container/oci-defaults.js";
import { runCommand } from "../host/run-command.js";
import { hostHardLimits } from "../host/rlimits.js";

export interface RunStepOptions {
  layout: Layout;
  /** Mounted rootfs of the step. */
  rootfs: string;
  /** Where the bundle (config.json) goes; removed afterwards. */
  bundleDir: string;
  args: string[];
  env: string[];
  cwd: string;
  uid: number;
  gid: number;
  additionalGids: number[];
  network: "none" | "host";
  onOutput?: (stream: "stdout" | "stderr", data: string) => void;
  signal?: AbortSignal;
}

export interface RunStepResult {
  exitCode: number;
  /** The last lines of output, for the error message. */
  tail: string;
}

export async function runStep(o: RunStepOptions): Promise<RunStepResult> {
  const id = `build-${randomBytes(8).toString("hex")}`;
  const mounts: OciMount[] = [];
  if (o.network === "host") {
    for (const f of ["/etc/resolv.conf", "/etc/hosts"]) mounts.push({ destination: f, type: "bind", source: f, options: ["rbind", "ro", "rprivate"] });
  }
  const spec = buildOciSpec({
    hostname: "infra-build",
    process: { args: o.args, env: o.env, cwd: o.cwd, uid: o.uid, gid: o.gid, additionalGids: o.additionalGids, terminal: false },
    rootfs: o.rootfs,
    // Docker build containers may use setuid tools (su, ping) as usual.
    noNewPrivileges: false,
    netns: o.network === "host" ? "host" : "private",
    mounts,
    hostHardLimits: hostHardLimits(),
    cgroupsPath: `${o.layout.cgroupParent}/${id}`,
  });
  await mkdir(o.bundleDir, { recursive: true });
  await mkdir(o.layout.runcRoot, { recursive: true, mode: 0o700 });
  await writeFile(join(o.bundleDir, "config.json"), JSON.stringify(spec));
  let tail = "";
  try {
    const code = await new Promise<number>((resolve, reject) => {
      const child = spawn("runc", ["--root", o.layout.runcRoot, "run", "--bundle", o.bundleDir, id], { stdio: ["ignore", "pipe", "pipe"] });
      const onAbort = () => void runCommand("runc", ["--root", o.layout.runcRoot, "kill", id, "KILL"]);
      o.signal?.addEventListener("abort", onAbort, { once: true });
      const take = (stream: "stdout" | "stderr") => (b: Buffer) => {
        const s = b.toString("utf8");
        tail = (tail + s).slice(-2000);
        o.onOutput?.(stream, s);
      };
      child.stdout.on("data", take("stdout"));
      child.stderr.on("data", take("stderr"));
      child.on("error", reject);
      child.on("close", (c, sig) => {
        o.signal?.removeEventListener("abort", onAbort);
        resolve(c ?? (sig ? 128 + 9 : -1));
      });
    });
    return { exitCode: code, tail };
  } finally {
    await runCommand("runc", ["--root", o.layout.runcRoot, "delete", "--force", id]);
    await rm(o.bundleDir, { recursive: true, force: true });
  }
}
