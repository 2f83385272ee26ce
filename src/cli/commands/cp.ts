/** `infra cp`: copy files between the host and a container (CONTAINER:PATH on one side). */
import { resolve } from "node:path";
import type { Command } from "../command.js";
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
  usage: "Usage: infra cp CONTAINER:SRC_PATH HOST_DEST\n       infra cp HOST_SRC CONTAINER:DEST_PATH",
  async run(argv, io) {
    const f = parseFlags(argv, {}, "cp");
    expectPositionals(f, 2, 2, "cp");
    const src = parseCpArg(f.positionals[0]!);
    const dst = parseCpArg(f.positionals[1]!);
    if ((src.container === undefined) === (dst.container === undefined))
      throw usageError("INFRA_CLI_CP_ARGS", "cp copies between the host and a container: give CONTAINER:PATH on exactly one side", "cp");
    const ctr = (src.container ?? dst.container)!;
    const inside = (src.container !== undefined ? src.path : dst.path) || "/";
    const host = src.container !== undefined ? dst.path : src.path;
    // Keep a trailing "/." (copy a directory's content): path.resolve would drop it.
    const hostPath = resolve(io.cwd, host) + (/\/\.$/.test(host) ? "/." : "");
    const body = { direction: src.container !== undefined ? "out" : "in", hostPath, containerPath: inside.startsWith("/") ? inside : `/${inside}` };
    await (await engineFor(io.env)).call("POST", `/containers/${encodeURIComponent(ctr)}/copy`, body);
    return 0;
  },
};
