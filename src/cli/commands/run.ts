/** `infra run`: create and start a container; in the foreground, stream its output and exit with its code. */
import { readFileSync } from "node:fs";
import type { ContainerRecord } from "../../providers/local-runtime/container/container-record.js";
import type { LogLine } from "../../providers/local-runtime/container/log-file.js";
import type { Command, CommandIO } from "../command.js";
import { parseContainerFlags } from "./container-flags.js";
import { engineFor } from "./engine-session.js";
import { runAttached } from "./attach-session.js";

const USAGE = `Usage: infra run [OPTIONS] IMAGE [COMMAND] [ARG...]

  --rm  -d  -i  -t  --name NAME  -e K=V  --env-file F  -v SRC:DST[:ro]  --mount type=..,source=..,target=..
  -p [IP:]HOST:CTR[/udp]  --network|--net MODE  --link C[:ALIAS]  -m SIZE  --memory-swap SIZE  --cpus N
  --pids-limit N  -u USER  -w DIR  --entrypoint CMD  --restart POLICY  --init  --read-only
  --cap-add CAP  --cap-drop CAP  --privileged  --volumes-from C[:ro]  --tmpfs PATH[:size=..]  -l K=V
  --health-cmd CMD  --health-interval D  --health-timeout D  --health-retries N  --health-start-period D  --no-healthcheck
  --log-max-size SIZE  --log-max-file N  --stop-timeout S  --stop-signal SIG`;

export async function runContainer(argv: string[], io: CommandIO, startIt: boolean, cmd: string): Promise<number> {
  const { f, spec } = parseContainerFlags(argv, cmd, (p) => readFileSync(p, "utf8"));
  const engine = await engineFor(io.env);
  const rec = await engine.call<ContainerRecord>("POST", "/containers", spec);
  if (!startIt) { io.stdout.write(rec.id + "\n"); return 0; }
  if (!f.booleans.detach && (f.booleans.interactive || f.booleans.tty)) {
    // -i / -t in the foreground: attach before the container starts, through conmon's attach socket.
    let code: number;
    try {
      code = await runAttached(engine, `/containers/${rec.id}/attach?start=1`, io, { tty: f.booleans.tty === true, stdin: f.booleans.interactive === true });
    } finally {
      if (f.booleans.rm) await engine.call("DELETE", `/containers/${rec.id}?force=1&volumes=1`).catch(() => undefined);
    }
    return code;
  }
  try {
    await engine.call("POST", `/containers/${rec.id}/start`);
  } catch (e) {
    if (f.booleans.rm) await engine.call("DELETE", `/containers/${rec.id}?force=1`).catch(() => undefined);
    throw e;
  }
  if (f.booleans.detach) { io.stdout.write(rec.id + "\n"); return 0; }
  await engine.stream(`/containers/${rec.id}/logs?follow=1`, (item) => {
    const l = item as LogLine;
    (l.stream === "stderr" ? io.stderr : io.stdout).write(l.text + "\n");
  });
  const done = await engine.call<ContainerRecord>("POST", `/containers/${rec.id}/wait`);
  if (f.booleans.rm) await engine.call("DELETE", `/containers/${rec.id}?force=1&volumes=1`).catch(() => undefined);
  return done.exitCode ?? 0;
}

export const runCommand: Command = {
  name: ["run"],
  aliases: [["container", "run"]],
  summary: "Run a command in a new container",
  usage: USAGE,
  run: (argv, io) => runContainer(argv, io, true, "run"),
};
