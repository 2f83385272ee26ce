/**
 * The argv form of `POST /run`, for the native launcher (native/infra.c): `{argv, cwd, env}` as
 * the user typed `infra run ...`. The engine does not parse `run` flags itself (that is the CLI's
 * job, and providers do not import the CLI): whoever starts the engine gives it a RunArgvHandler.
 *
 * Answers: 409 when the command needs the full CLI (or no handler was given), 400 when the command
 * line does not parse; the launcher then runs the Node CLI, which prints the proper error. Nothing
 * was created then. Otherwise 200 and attach frames (attach-protocol.ts): the container's output as
 * stdout/stderr frames (each line plus "\n", as the Node CLI writes it), `-d`: the id as a stdout
 * frame; a failure: the CLI's rendering of it as a stderr frame; last, an exit frame
 * `{"exitCode": N}` with the code the Node CLI would exit with. The `x-infra-container` header
 * names the container as soon as it exists (the launcher forwards signals to it).
 */
import type { ServerResponse } from "node:http";
import { ProviderError, type FailureCategory } from "../../contract.js";
import { runtimeError } from "../runtime-error.js";
import { encodeFrame, FRAME, type FrameType } from "./attach-protocol.js";
import { ensureImage, needsPull, pullPolicyOf } from "./engine-pull.js";
import type { EngineContext } from "./engine-routes.js";
import { followRun, runErrorBody, type RunRequest } from "./engine-run.js";

export interface RunArgvRequest {
  /** The arguments after `run`. */
  argv: string[];
  /** The client's working directory: relative paths (--env-file) resolve against it. */
  cwd: string;
  /** The client's environment: `-e VAR` takes VAR from it, NO_COLOR applies to the errors rendered. */
  env: Record<string, string>;
  /** Whether the client's stdout / stderr are terminals (the CLI colours its errors then). */
  stdoutTty?: boolean;
  stderrTty?: boolean;
}

/** What the CLI layer made of a command line: a run request, or "this needs the full CLI" and why. */
export type RunArgvParse = { run: RunRequest } | { fullCli: string };

export interface RunArgvHandler {
  /** Parses the command line; throws on a usage error (the engine answers 400). */
  parse(req: RunArgvRequest): RunArgvParse;
  /** The error as the Node CLI prints it on stderr, and the exit code it returns then. */
  render(e: ProviderError, req: RunArgvRequest): Promise<{ text: string; exitCode: number }>;
}

export const FRAMES_CONTENT_TYPE = "application/vnd.infra.frames";

export function isRunArgvBody(body: unknown): body is RunArgvRequest {
  return typeof body === "object" && body !== null && "argv" in body;
}

function checkBody(b: RunArgvRequest): void {
  const strings = (v: unknown) => Array.isArray(v) && v.every((x) => typeof x === "string");
  const env = b.env as unknown;
  if (!strings(b.argv) || typeof b.cwd !== "string" || typeof env !== "object" || env === null || !Object.values(env).every((x) => typeof x === "string"))
    throw runtimeError("Invalid", "RUN_BAD_ARGV", "the argv form of POST /run takes {argv: string[], cwd: string, env: {NAME: string}}");
}

export async function handleRunArgv(ctx: EngineContext, body: RunArgvRequest, res: ServerResponse, handler: RunArgvHandler | undefined): Promise<void> {
  checkBody(body);
  if (!handler) throw runtimeError("Conflict", "RUN_NEEDS_CLI", "this engine was started without the CLI's `run` parser", "the CLI runs the command itself");
  let parsed: RunArgvParse;
  try {
    parsed = handler.parse(body);
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    throw runtimeError("Invalid", "RUN_BAD_ARGV", (e as Error).message, typeof code === "string" ? `the CLI reports it as ${code}` : undefined, e);
  }
  if ("fullCli" in parsed) throw runtimeError("Conflict", "RUN_NEEDS_CLI", parsed.fullCli, "the CLI runs the command itself");
  const req = parsed.run;
  // Pull progress is the Node CLI's to print: the launcher hands it a run that must pull.
  if ((await needsPull(ctx, req.spec.image, pullPolicyOf(req.pull))) !== undefined) throw runtimeError("Conflict", "RUN_NEEDS_CLI", `image '${req.spec.image}' is to be pulled`, "the CLI runs the command itself");
  let closed = false;
  res.on("close", () => { closed = true; });
  const frame = (type: FrameType, payload: string) => { if (!closed) res.write(encodeFrame(type, payload)); };
  const finish = (exitCode: number) => { frame(FRAME.exit, JSON.stringify({ exitCode })); res.end(); };
  const fail = async (e: unknown) => {
    const r = await renderError(handler, e, body);
    frame(FRAME.stderr, r.text);
    finish(r.exitCode);
  };
  let id: string;
  try {
    // `--pull never` with a missing image fails here, as Docker's does, before anything is made.
    await ensureImage(ctx, req.spec.image, pullPolicyOf(req.pull));
    // With rm the record says so: the engine removes it at the exit, also when it restarted meanwhile.
    id = (await ctx.manager.create(req.spec, req.rm ? { autoRemove: true } : {})).id;
  } catch (e) {
    // Nothing was created: the error as the CLI prints it (retrying in the Node CLI would pull twice).
    res.writeHead(200, { "content-type": FRAMES_CONTENT_TYPE });
    return fail(e);
  }
  res.writeHead(200, { "content-type": FRAMES_CONTENT_TYPE, "x-infra-container": id });
  res.flushHeaders(); // the id now, not with the first output: the launcher forwards signals to it
  let exitCode: number | undefined;
  try {
    await followRun(ctx, ctx.manager.get(id), req, (e) => {
      if ("log" in e) frame(e.log.stream === "stderr" ? FRAME.stderr : FRAME.stdout, e.log.text + "\n");
      else if ("exited" in e) exitCode = e.exited.exitCode ?? 0;
    }, () => closed);
  } catch (e) {
    return fail(e);
  }
  if (req.detach) {
    frame(FRAME.stdout, id + "\n");
    return finish(0);
  }
  if (exitCode === undefined) return fail(new ProviderError("Unavailable", "INFRA_RUNTIME_RUN_CUT", "the engine ended `run` before the container exited", { hint: "`infra ps -a` shows the container; the engine log may say why" }));
  finish(exitCode);
}

/** As the Node CLI sees it: the error as it crossed the wire, rendered by the CLI layer. */
async function renderError(handler: RunArgvHandler, e: unknown, body: RunArgvRequest): Promise<{ text: string; exitCode: number }> {
  const b = runErrorBody(e);
  const err = new ProviderError(b.category as FailureCategory, b.code, b.message, b.hint !== undefined ? { hint: b.hint } : {});
  try {
    return await handler.render(err, body);
  } catch {
    return { text: `infra: ${b.message}\n`, exitCode: 1 };
  }
}
