/**
 * `infra build -t NAME[:TAG] [-f Dockerfile] [--build-arg K=V] [--target STAGE] [--no-cache] CONTEXT`.
 * Builds in this process, directly on the image store under $INFRA_ROOT (as `infra pull`
 * does), running RUN steps under runc as root; the engine need not be running.
 */
import { isAbsolute, resolve } from "node:path";
import { buildImage } from "../../providers/local-runtime/build/build-image.js";
import type { BuildProgress } from "../../providers/local-runtime/build/build-types.js";
import type { Command, CommandIO } from "../command.js";
import { expectPositionals, parseFlags, usageError } from "../parse-flags.js";
import { formatBytes, openImageStore } from "./pull.js";
import { reportImageEvent } from "./report-image-event.js";

const NAME = "build";

/** One progress event as the text Docker's classic builder prints. Pure. */
export function renderBuildProgress(e: BuildProgress): string {
  switch (e.kind) {
    case "step": return `Step ${e.step}/${e.total} : ${e.text}\n`;
    case "cached": return " ---> Using cache\n";
    case "output": return e.data;
    case "layer": return ` ---> ${e.digest.slice(7, 19)} (${formatBytes(e.size)})\n`;
    case "warning": return `Warning: ${e.message}\n`;
    case "done": return `Successfully built ${e.id.slice(7, 19)}\n${e.names.map((n) => `Successfully tagged ${n}\n`).join("")}`;
  }
}

export function parseBuildArgs(list: readonly string[], env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const kv of list) {
    const i = kv.indexOf("=");
    const k = i < 0 ? kv : kv.slice(0, i);
    if (k === "") throw usageError("INFRA_CLI_FLAG_VALUE_INVALID", `Flag --build-arg takes KEY=VALUE, not "${kv}"`, NAME);
    // As Docker: `--build-arg KEY` takes the value from the environment (skipped when unset).
    const v = i < 0 ? env[k] : kv.slice(i + 1);
    if (v !== undefined) out[k] = v;
  }
  return out;
}

export const buildCommand: Command = {
  name: ["build"],
  aliases: [["image", "build"]],
  summary: "Build an image from a Dockerfile",
  usage: [
    "Usage: infra build -t NAME[:TAG] [-f Dockerfile] [--build-arg K=V]... [--target STAGE] [--no-cache] [-q] CONTEXT",
    "",
    "Builds the Dockerfile (CONTEXT/Dockerfile unless -f) in this process, on the image store under",
    "$INFRA_ROOT, and tags the result. Steps are cached on this host: a step is reused when its",
    "parent, instruction, arguments and (COPY/ADD) copied content are the same. RUN steps run under",
    "runc without network (RUN --network=host gives them the host's). Needs root.",
    "",
    "  -t, --tag NAME[:TAG]   name of the image (repeatable; at least one)",
    "  -f, --file PATH        Dockerfile, relative to CONTEXT (default Dockerfile)",
    "  --build-arg K=V        value for an ARG (repeatable)",
    "  --target STAGE         build this stage and what it needs, not the last one",
    "  --no-cache             run every step again (the results still refresh the cache)",
    "  -q, --quiet            print only the image id",
  ].join("\n"),
  async run(argv: string[], io: CommandIO): Promise<number> {
    const flags = parseFlags(argv, {
      tag: { kind: "list", short: "t" }, file: { kind: "string", short: "f" }, "build-arg": { kind: "list" },
      target: { kind: "string" }, "no-cache": { kind: "boolean" }, quiet: { kind: "boolean", short: "q" },
    }, NAME);
    expectPositionals(flags, 1, 1, NAME);
    const tags = flags.lists.tag ?? [];
    if (tags.length === 0) throw usageError("INFRA_CLI_FLAG_REQUIRED", "infra build needs -t NAME[:TAG]", NAME);
    const ctx = flags.positionals[0]!;
    const contextDir = isAbsolute(ctx) ? ctx : resolve(io.cwd, ctx);
    const quiet = flags.booleans.quiet === true;
    const store = await openImageStore(io.env);
    const result = await buildImage(store, {
      contextDir,
      tags,
      buildArgs: parseBuildArgs(flags.lists["build-arg"] ?? [], io.env),
      ...(flags.strings.file !== undefined ? { dockerfile: flags.strings.file } : {}),
      ...(flags.strings.target !== undefined ? { target: flags.strings.target } : {}),
      noCache: flags.booleans["no-cache"] === true,
      ...(io.signal ? { signal: io.signal } : {}),
      onProgress: (e) => {
        if (!quiet) (e.kind === "output" && e.stream === "stderr" ? io.stderr : io.stdout).write(renderBuildProgress(e));
      },
    }).finally(() => store.close());
    await reportImageEvent(io.env, "tag", result.id, result.names);
    if (quiet) io.stdout.write(`${result.id}\n`);
    return 0;
  },
};
