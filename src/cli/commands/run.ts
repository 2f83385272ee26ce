/** `infra run`: create and start a container; in the foreground, stream its output and exit with its code. */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { InfraError } from "../../diag/infra-error.js";
import type { ContainerSpec } from "../../graph/specs.js";
import type { ImageRuntimeConfig } from "../../providers/local-runtime/image/image-types.js";
import { isProviderError, ProviderError, type FailureCategory } from "../../providers/contract.js";
import type { ContainerRecord } from "../../providers/local-runtime/container/container-record.js";
import { resolveLayout } from "../../providers/local-runtime/layout.js";
import { EngineClient } from "../../providers/local-runtime/engine/engine-client.js";
import type { RunEvent } from "../../providers/local-runtime/engine/engine-run.js";
import type { LogLine } from "../../providers/local-runtime/container/log-file.js";
import type { Command, CommandIO } from "../command.js";
import { reportRunFailure } from "../run-failure.js";
import { CONTAINER_FLAGS, parseContainerFlags, parseExpose } from "./container-flags.js";
import type { PullPolicy } from "../../providers/local-runtime/registry/resolve-image.js";
import { pullPolicyFlag, renderPullEvent } from "./pull-flag.js";

const USAGE = `Usage: infra run [OPTIONS] IMAGE [COMMAND] [ARG...]

  --rm  -d, --detach  -i, --interactive  -t, --tty  -a, --attach stdin|stdout|stderr  --detach-keys KEYS
  --name NAME  --cidfile FILE  --pull missing|always|never
  -e, --env K=V  --env-file F  -l, --label K=V  -u, --user USER  -w, --workdir DIR  -h, --hostname NAME
  --entrypoint CMD  --init  --read-only  --privileged  --cap-add CAP  --cap-drop CAP
  -v, --volume SRC:DST[:ro]  --mount type=..,source=..,target=..  --volumes-from C[:ro]  --tmpfs PATH[:size=..]
  -p, --publish [IP:]HOST:CTR[/udp]  -P, --publish-all  --expose PORT[-PORT][/udp]
  --network, --net MODE|NAME  --ip ADDR  --network-alias NAME  --link C[:ALIAS]  --dns IP  --add-host HOST:IP
  -m, --memory SIZE  --memory-swap SIZE  --cpus N  --cpu-shares N  --cpuset-cpus LIST  --pids-limit N  --shm-size SIZE
  --ulimit NAME=SOFT[:HARD]  --sysctl NAME=VALUE  --device HOST[:CTR[:rwm]]
  --restart no|on-failure[:N]|always|unless-stopped  --stop-timeout S  --stop-signal SIG
  --health-cmd CMD  --health-interval D  --health-timeout D  --health-retries N  --health-start-period D  --no-healthcheck
  --log-max-size SIZE  --log-max-file N

An image not in the local store is pulled first (--pull missing, the default); a short name is
Docker Hub's (alpine:3.19 is docker.io/library/alpine:3.19), through the registry mirrors of the
engine settings (docs/engine-config.md). --pull always pulls even a stored image; --pull never
fails when it is not stored.

Capabilities are Docker's 14 defaults: CHOWN DAC_OVERRIDE FSETID FOWNER MKNOD NET_RAW SETGID SETUID
SETFCAP SETPCAP NET_BIND_SERVICE SYS_CHROOT KILL AUDIT_WRITE (--privileged: all of them). MKNOD is kept,
as Docker keeps it: mknod succeeds, but the device cgroup denies opening any device the container was
not given (EPERM); --cap-drop MKNOD makes mknod itself fail. See docs/security.md.

Short flags combine (-itd, -p8080:80). In the foreground without -i/-t, Ctrl-C and SIGTERM are
passed to the container, and infra exits with its exit code; a third Ctrl-C stops waiting and leaves
the container running. Exit codes as Docker's: 125 when infra failed (a bad flag, no such image), 126
when the command cannot be invoked, 127 when it is not found. -P publishes the ports the image exposes
and --expose adds on random host ports; --ip and --network-alias apply to the first user network given
with --network.`;

export { USAGE as RUN_USAGE };

export async function runContainer(argv: string[], io: CommandIO, startIt: boolean, cmd: string): Promise<number> {
  const { f, spec } = parseContainerFlags(argv, cmd, (p) => readFileSync(resolve(io.cwd, p), "utf8"), io.env);
  // -a stdin is -i; -a stdout / -a stderr choose the streams shown (all of them without -a).
  const attachTo = new Set((f.lists.attach ?? []).map((a) => a.toLowerCase()));
  if (attachTo.has("stdin")) { f.booleans.interactive = true; spec.stdinOpen = true; }
  const show = (stream: string) => attachTo.size === 0 || attachTo.has(stream);
  const out: CommandIO = attachTo.size === 0 ? io : { ...io, stdout: show("stdout") ? io.stdout : DISCARD, stderr: show("stderr") ? io.stderr : DISCARD };
  const pull = pullPolicyFlag(f, cmd);
  const attach = !f.booleans.detach && (f.booleans.interactive === true || f.booleans.tty === true);
  const cidfile = f.strings.cidfile !== undefined ? resolve(io.cwd, f.strings.cidfile) : undefined;
  // As Docker: an existing cidfile is refused before anything is made.
  if (cidfile !== undefined && existsSync(cidfile))
    throw new InfraError("INFRA_CLI_CIDFILE_EXISTS", `--cidfile ${cidfile} already exists`, { hint: "remove it, or give a path that does not exist yet", exitCode: 1 });
  const created = (id: string) => { if (cidfile !== undefined) writeFileSync(cidfile, id, { flag: "wx", mode: 0o644 }); };
  if (f.booleans["publish-all"]) await publishAll(spec, f.lists.expose ?? [], await startedEngine(io.env), cmd);
  if (startIt && !attach) {
    // One request: create, start, output, exit code, removal (an engine from before /run answers 404).
    // The engine is nearly always up: no ping first; it is started only when nobody listens.
    const once = (c: EngineClient) => runInOneCall(c, spec, out, f.booleans.rm === true, f.booleans.detach === true, pull, created);
    const direct = new EngineClient(resolveLayout({}, io.env).engineSocket);
    const code = await once(direct).catch(async (e: unknown) => {
      if (!nobodyListens(e)) throw e;
      return once(await startedEngine(io.env));
    });
    if (code !== undefined) return code;
  }
  const engine = await startedEngine(io.env);
  // --rm goes on the record: the engine removes the container at its exit, whoever is attached.
  const query = new URLSearchParams({ ...(f.booleans.rm ? { rm: "1" } : {}), ...(pull ? { pull } : {}) }).toString();
  const rec = await engine.call<ContainerRecord>("POST", `/containers${query ? `?${query}` : ""}`, spec);
  created(rec.id);
  if (!startIt) { io.stdout.write(rec.id + "\n"); return 0; }
  if (attach) {
    // -i / -t in the foreground: attach before the container starts, through conmon's attach socket.
    // The engine removes an --rm container at its exit; one that detaches keeps running until then.
    const { detachKeysFlag, runAttached } = await import("./attach-session.js");
    // With stdin, Docker's detach keys end the session and leave the container running.
    const detach = f.booleans.interactive === true ? { detachKeys: detachKeysFlag(f.strings["detach-keys"]) } : {};
    try {
      return await runAttached(engine, `/containers/${rec.id}/attach?start=1`, io, { tty: f.booleans.tty === true, stdin: f.booleans.interactive === true, ...detach });
    } catch (e) {
      // It never started (or the session broke): nothing will exit, so nothing would remove it.
      if (f.booleans.rm) await engine.call("DELETE", `/containers/${rec.id}?force=1&volumes=1`).catch(() => undefined);
      throw e;
    }
  }
  try {
    await engine.call("POST", `/containers/${rec.id}/start`);
  } catch (e) {
    if (f.booleans.rm) await engine.call("DELETE", `/containers/${rec.id}?force=1`).catch(() => undefined);
    throw e;
  }
  if (f.booleans.detach) { io.stdout.write(rec.id + "\n"); return 0; }
  await engine.stream(`/containers/${rec.id}/logs?follow=1`, (item) => writeLog(out, item as LogLine));
  const done = await engine.call<ContainerRecord>("POST", `/containers/${rec.id}/wait`);
  if (f.booleans.rm) await engine.call("DELETE", `/containers/${rec.id}?force=1&volumes=1`).catch(() => undefined);
  return done.exitCode ?? 0;
}

/** `POST /run`; undefined when the engine does not know the route (then the caller takes the steps itself). */
async function runInOneCall(engine: EngineClient, spec: ContainerSpec, io: CommandIO, rm: boolean, detach: boolean, pull: PullPolicy | undefined, onCreated: (id: string) => void): Promise<number | undefined> {
  const got: { id?: string; started?: ContainerRecord; exited?: ContainerRecord; error?: { category: string; code: string; message: string; hint?: string } } = {};
  // Ctrl-C / SIGTERM (io.signal) go to the container as SIGINT, as the native launcher forwards them.
  let interrupted = false;
  const forward = () => { if (got.id !== undefined) void engine.call("POST", `/containers/${got.id}/kill?signal=SIGINT`).catch(() => undefined); };
  const onAbort = () => { interrupted = true; forward(); };
  io.signal?.addEventListener("abort", onAbort, { once: true });
  try {
    await engine.stream("/run", (item) => {
      const e = item as RunEvent;
      if ("log" in e) writeLog(io, e.log);
      else if ("pull" in e) { const line = renderPullEvent(e.pull); if (line !== undefined) io.stderr.write(line); }
      else if ("created" in e) { got.id = e.created.id; onCreated(e.created.id); if (interrupted) forward(); }
      else if ("started" in e) got.started = e.started;
      else if ("exited" in e) got.exited = e.exited;
      else if ("error" in e) got.error = e.error;
    }, { method: "POST", body: { spec, rm, detach, ...(pull ? { pull } : {}) }, errorsAsItems: true });
  } catch (e) {
    if (isProviderError(e) && e.code === "INFRA_RUNTIME_NO_ROUTE") return undefined;
    throw e;
  } finally {
    io.signal?.removeEventListener("abort", onAbort);
  }
  const err = got.error;
  if (err) throw new ProviderError(err.category as FailureCategory, err.code, err.message, err.hint !== undefined ? { hint: err.hint } : {});
  if (detach && got.started) { io.stdout.write(got.started.id + "\n"); return 0; }
  if (!got.exited) throw new ProviderError("Unavailable", "INFRA_RUNTIME_RUN_CUT", "the engine ended `run` before the container exited", { hint: "`infra ps -a` shows the container; the engine log may say why" });
  return got.exited.exitCode ?? 0;
}

/** -P: every port the image exposes (and --expose adds) published on a random host port, unless -p publishes it. */
async function publishAll(spec: ContainerSpec, expose: string[], engine: EngineClient, cmd: string): Promise<void> {
  const image = await engine.call<{ config?: { config?: ImageRuntimeConfig } }>("GET", `/images/${encodeURIComponent(spec.image)}`);
  const wanted = [
    ...Object.keys(image.config?.config?.ExposedPorts ?? {}).flatMap((k) => parseExpose(k, cmd)),
    ...expose.flatMap((e) => parseExpose(e, cmd)),
  ];
  const ports = [...(spec.ports ?? [])];
  for (const w of wanted) {
    if (!ports.some((p) => p.containerPort === w.port && (p.protocol ?? "tcp") === w.protocol)) ports.push({ containerPort: w.port, protocol: w.protocol });
  }
  if (ports.length > 0) spec.ports = ports;
}

/** Where `-a` sends the streams it leaves out. */
const DISCARD = { write: () => true } as unknown as CommandIO["stdout"];

/** The engine, started when it is not running (loaded only then: it brings child_process along). */
async function startedEngine(env: NodeJS.ProcessEnv): Promise<EngineClient> {
  return (await import("./engine-session.js")).engineFor(env);
}

/** The socket is missing or nobody accepts on it: the request never reached an engine, so it can be sent again. */
function nobodyListens(e: unknown): boolean {
  const code = ((e as { cause?: NodeJS.ErrnoException }).cause)?.code;
  return isProviderError(e) && e.code === "INFRA_RUNTIME_ENGINE_DOWN" && (code === "ENOENT" || code === "ECONNREFUSED");
}

function writeLog(io: CommandIO, l: LogLine): void {
  (l.stream === "stderr" ? io.stderr : io.stdout).write(l.text + "\n");
}

export const runCommand: Command = {
  name: ["run"],
  aliases: [["container", "run"]],
  summary: "Run a command in a new container",
  usage: USAGE,
  flags: CONTAINER_FLAGS,
  // Docker's codes: 125 when infra failed, 126 / 127 when the command cannot run, else the container's.
  run: (argv, io) => runContainer(argv, io, true, "run").catch((e: unknown) => reportRunFailure(e, io)),
};
