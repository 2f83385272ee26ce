/**
 * `infra exec`: run a command in a running container; exits with its code, or Docker's 127 / 126
 * when it cannot run. With -i or -t the CLI runs `runc exec` itself with the terminal's stdio
 * (runc allocates the TTY for -t): exec-attached.ts.
 */
import type { Command } from "../command.js";
import { parseFlags, splitFlags, usageError } from "../parse-flags.js";
import { reportExecFailure } from "../run-failure.js";
import { engineFor } from "./engine-session.js";
import { execAttached } from "./exec-attached.js";

const FLAGS = { interactive: { kind: "boolean", short: "i" }, tty: { kind: "boolean", short: "t" }, env: { kind: "list", short: "e" }, user: { kind: "string", short: "u" }, workdir: { kind: "string", short: "w" }, detach: { kind: "boolean", short: "d" } } as const;

export const execCommand: Command = {
  name: ["exec"],
  aliases: [["container", "exec"]],
  summary: "Run a command in a running container",
  usage: `Usage: infra exec [OPTIONS] NAME COMMAND [ARG...]

  -i, --interactive   keep stdin open      -t, --tty        a terminal
  -e, --env K=V       set a variable       -u, --user USER  run as USER
  -w, --workdir DIR   run in DIR           -d, --detach     accepted for Docker's command lines

Exits with the command's code; 127 when the command is not found, 126 when it cannot be invoked
(Docker 20.10 exits 126 for both; infra tells them apart as \`run\` and shells do).`,
  flags: FLAGS,
  async run(argv, io) {
    const { flags, rest } = splitFlags(argv, FLAGS, "exec", true);
    const f = parseFlags(flags, FLAGS, "exec");
    const [name, ...cmd] = rest;
    if (!name || cmd.length === 0) throw usageError("INFRA_CLI_EXEC_ARGS", "exec needs a container and a command", "exec");
    const body: Record<string, unknown> = { cmd, env: Object.fromEntries((f.lists.env ?? []).map((x) => [x.split("=")[0], x.slice(x.indexOf("=") + 1)])) };
    if (f.strings.user) body.user = f.strings.user;
    if (f.strings.workdir) body.workdir = f.strings.workdir;
    const engine = await engineFor(io.env);
    if (f.booleans.interactive || f.booleans.tty) {
      const { argv: runcArgv } = await engine.call<{ argv: string[] }>("POST", `/containers/${encodeURIComponent(name)}/exec-spec`, { ...body, tty: f.booleans.tty ?? false });
      return execAttached(runcArgv, name, io);
    }
    let r: { exitCode: number; stdout: string; stderr: string };
    try {
      r = await engine.call("POST", `/containers/${encodeURIComponent(name)}/exec`, body);
    } catch (e) {
      return reportExecFailure(e, io); // 126 / 127 for a command that cannot run; other errors are thrown
    }
    io.stdout.write(r.stdout);
    io.stderr.write(r.stderr);
    return r.exitCode;
  },
};
