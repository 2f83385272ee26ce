/**
 * `infra cp`: copy files between the host and a container (CONTAINER:PATH on one side). `-` for
 * the host side is a tar stream on stdout, as Docker's (`infra cp web:/etc - | tar -t`).
 */
import { spawn } from "node:child_process";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join, resolve } from "node:path";
import { InfraError } from "../../diag/infra-error.js";
import type { Command, CommandIO } from "../command.js";
import { expectPositionals, parseFlags, usageError } from "../parse-flags.js";
import { engineFor } from "./engine-session.js";

/** `NAME:/path` → container side; a path with a slash before any colon is a host path (Docker's rule). */
export function parseCpArg(a: string): { container?: string; path: string } {
  const colon = a.indexOf(":");
  if (colon <= 0 || a.slice(0, colon).includes("/")) return { path: a };
  return { container: a.slice(0, colon), path: a.slice(colon + 1) };
}

export const cpCommand: Command = {
  name: ["cp"],
  aliases: [["container", "cp"]],
  summary: "Copy files between a container and the host",
  usage: "Usage: infra cp CONTAINER:SRC_PATH HOST_DEST|-\n       infra cp HOST_SRC|- CONTAINER:DEST_PATH\n\nA DEST of - writes a tar stream of SRC_PATH to stdout, as Docker does; a SRC of - reads a tar\nstream from stdin and unpacks it into the directory DEST_PATH (at most INFRA_CP_MAX_BYTES, 4 GiB).",
  async run(argv, io) {
    const f = parseFlags(argv, {}, "cp");
    expectPositionals(f, 2, 2, "cp");
    const src = parseCpArg(f.positionals[0]!);
    const dst = parseCpArg(f.positionals[1]!);
    if ((src.container === undefined) === (dst.container === undefined))
      throw usageError("INFRA_CLI_CP_ARGS", "cp copies between the host and a container: give CONTAINER:PATH on exactly one side", "cp");
    const ctr = (src.container ?? dst.container)!;
    const inside = (src.container !== undefined ? src.path : dst.path) || "/";
    const containerPath = inside.startsWith("/") ? inside : `/${inside}`;
    const host = src.container !== undefined ? dst.path : src.path;
    const engine = await engineFor(io.env);
    const copy = (direction: "in" | "out", hostPath: string) => engine.call("POST", `/containers/${encodeURIComponent(ctr)}/copy`, { direction, hostPath, containerPath });
    if (host === "-") {
      if (src.container === undefined) return tarFromStdin(io, (hostPath) => copy("in", hostPath));
      return tarToStdout(containerPath, io, (hostPath) => copy("out", hostPath));
    }
    // Keep a trailing "/." (copy a directory's content): path.resolve would drop it.
    await copy(src.container !== undefined ? "out" : "in", resolve(io.cwd, host) + (/\/\.$/.test(host) ? "/." : ""));
    return 0;
  },
};

/** stdin, bounded, unpacked by tar into a private directory; the engine copies its content in (never following links). */
async function tarFromStdin(io: CommandIO, copyIn: (hostPath: string) => Promise<unknown>): Promise<number> {
  const max = Number(io.env.INFRA_CP_MAX_BYTES ?? 4 * 1024 ** 3);
  const dir = await mkdtemp(join(tmpdir(), "infra-cp-"));
  try {
    const into = join(dir, "in");
    await mkdir(into);
    // GNU tar refuses absolute and ".." names and places links last, so nothing lands outside `into`.
    const tar = spawn("tar", ["-x", "--no-same-owner", "-C", into], { stdio: ["pipe", "ignore", "pipe"] });
    let err = "", seen = 0, tooBig = false;
    tar.stderr.on("data", (d: Buffer) => { err += d.toString(); });
    tar.stdin.on("error", () => undefined); // tar that stopped reading reports through its exit
    io.stdin.on("data", (d: Buffer) => {
      seen += d.length;
      if (seen > max) { tooBig = true; tar.kill("SIGKILL"); return; }
      if (!tar.stdin.write(d)) { io.stdin.pause(); tar.stdin.once("drain", () => io.stdin.resume()); }
    });
    io.stdin.on("end", () => tar.stdin.end());
    const code = await new Promise<number | null>((res, rej) => { tar.on("error", rej); tar.on("close", res); });
    io.stdin.pause();
    if (tooBig) throw new InfraError("INFRA_CLI_CP_TOO_BIG", `the tar stream on stdin is larger than ${max} bytes`, { hint: "set INFRA_CP_MAX_BYTES to allow more" });
    if (code !== 0) throw new InfraError("INFRA_CLI_CP_TAR", `the tar stream on stdin cannot be unpacked: ${err.trim() || `tar exit ${code}`}`, { hint: "give an uncompressed tar archive, e.g. tar -c -C DIR . | infra cp - NAME:/dest" });
    await copyIn(`${into}/.`);
    return 0;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The engine copies into a private directory of ours; tar streams it; the directory goes. */
async function tarToStdout(containerPath: string, io: CommandIO, copyOut: (hostPath: string) => Promise<unknown>): Promise<number> {
  const dir = await mkdtemp(join(tmpdir(), "infra-cp-"));
  try {
    const name = basename(containerPath.replace(/\/+$/, "")) || ".";
    await copyOut(join(dir, name === "." ? "root" : name));
    const tar = spawn("tar", ["-c", "--numeric-owner", "-C", dir, "--", name === "." ? "root" : name], { stdio: ["ignore", "pipe", "pipe"] });
    let err = "";
    tar.stderr.on("data", (d: Buffer) => { err += d.toString(); });
    tar.stdout.pipe(io.stdout as NodeJS.WritableStream, { end: false });
    const code = await new Promise<number | null>((res, rej) => { tar.on("error", rej); tar.on("close", res); });
    if (code !== 0) throw new InfraError("INFRA_CLI_CP_TAR", `tar of ${containerPath} failed: ${err.trim() || `exit ${code}`}`, { hint: "infra cp needs the tar command on the host" });
    return 0;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
