/** `infra load [-i FILE]`: images from a docker save archive or an OCI layout tar, from a file or stdin. */
import type { ImportResult } from "../../providers/local-runtime/image/image-import.js";
import { importImageArchive, importImageBytes } from "../../providers/local-runtime/image/image-import.js";
import type { Command, CommandIO } from "../command.js";
import { expectPositionals, parseFlags, usageError } from "../parse-flags.js";
import { openImageStore } from "./pull.js";
import { reportImageEvent } from "./report-image-event.js";

const NAME = "load";

/** One line per stored name, as docker load prints them. Pure. */
export function renderImported(r: ImportResult, quiet: boolean): string {
  return r.images.flatMap((img) => img.names.map((n) => (quiet ? `${n}\n` : `Loaded image: ${n} (${img.digest.slice(0, 19)})\n`))).join("");
}

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(typeof c === "string" ? Buffer.from(c) : Buffer.from(c as Uint8Array));
  return Buffer.concat(chunks);
}

export const loadCommand: Command = {
  name: ["load"],
  aliases: [["image", "load"]],
  summary: "Load images from a docker save archive or an OCI layout tar",
  usage: [
    "Usage: infra load [-i FILE] [-q] [--tag NAME]...",
    "",
    "Reads a `docker save` archive (legacy, or Docker ≥ 25's with an OCI layout inside), an OCI",
    "layout tar (gzip'd or not) or, with -i, an OCI layout directory. Every digest is checked and",
    "the whole archive is verified before anything is stored; a refused archive stores nothing.",
    "Images keep the names the archive gives them (RepoTags, io.containerd.image.name, or a",
    "org.opencontainers.image.ref.name tag under localhost/<file name>).",
    "",
    "  -i, --input FILE   read FILE instead of stdin",
    "  --tag NAME         name the archive's one image NAME instead (repeatable)",
    "  -q, --quiet        print only the names",
  ].join("\n"),
  async run(argv: string[], io: CommandIO): Promise<number> {
    const flags = parseFlags(argv, { input: { kind: "string", short: "i" }, quiet: { kind: "boolean", short: "q" }, tag: { kind: "list" } }, NAME);
    expectPositionals(flags, 0, 0, NAME);
    const opts = flags.lists.tag !== undefined ? { tags: flags.lists.tag } : {};
    const input = flags.strings.input;
    let result: ImportResult;
    const store = await openImageStore(io.env);
    if (input !== undefined && input !== "-") {
      result = await importImageArchive(store, resolvePath(io.cwd, input), opts);
    } else {
      if (io.stdin.isTTY === true) throw usageError("INFRA_CLI_ARGUMENT_MISSING", "infra load reads an archive from stdin, and stdin is a terminal", NAME);
      result = await importImageBytes(store, "stdin", await readAll(io.stdin), opts);
    }
    for (const img of result.images) await reportImageEvent(io.env, "load", img.id, img.names);
    io.stdout.write(renderImported(result, flags.booleans.quiet === true));
    return 0;
  },
};

export function resolvePath(cwd: string, p: string): string {
  return p.startsWith("/") ? p : `${cwd.replace(/\/+$/, "")}/${p}`;
}
