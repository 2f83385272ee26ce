/** `infra save [-o FILE] IMAGE...`: a docker save archive (with its OCI layout) to a file or stdout. */
import { collectExportImages, exportArchiveBytes, exportImages, exportLayoutFiles, type ExportFormat, type ExportResult } from "../../providers/local-runtime/image/image-export.js";
import type { Command, CommandIO } from "../command.js";
import { expectPositionals, parseFlags, usageError } from "../parse-flags.js";
import { resolvePath } from "./load.js";
import { formatBytes, openImageStore } from "./pull.js";

const NAME = "save";

export function parseFormat(v: string | undefined, fallback: ExportFormat, command: string): ExportFormat {
  if (v === undefined) return fallback;
  if (v === "oci" || v === "docker") return v;
  throw usageError("INFRA_CLI_FLAG_VALUE_INVALID", `Flag --format takes oci or docker, not "${v}"`, command);
}

/** `Saved 1 image (2.0 MB) to bb.tar as a docker archive`. Pure. */
export function renderExported(r: ExportResult, target: string, format: ExportFormat): string {
  const what = format === "docker" ? "a docker archive" : r.kind === "directory" ? "an OCI layout directory" : "an OCI layout tar";
  return `Saved ${r.images.length} image${r.images.length === 1 ? "" : "s"} (${formatBytes(r.bytes)}) to ${target} as ${what}\n`;
}

export const saveCommand: Command = {
  name: ["save"],
  aliases: [["image", "save"]],
  summary: "Save images as a docker save archive (or an OCI layout tar)",
  usage: [
    "Usage: infra save [-o FILE] [--format docker|oci] IMAGE...",
    "",
    "Writes the images, with their exact manifests, configs and layers, as one tar: by default",
    "in Docker ≥ 25's form (an OCI layout plus Docker's manifest.json), readable by docker load,",
    "skopeo (docker-archive: and oci-archive:) and infra load. FILE ending in .gz or .tgz is",
    "gzip'd. Without -o the archive goes to stdout.",
    "",
    "  -o, --output FILE     write FILE instead of stdout",
    "  --format docker|oci   docker (default) or a plain OCI layout tar",
  ].join("\n"),
  async run(argv: string[], io: CommandIO): Promise<number> {
    const flags = parseFlags(argv, { output: { kind: "string", short: "o" }, format: { kind: "string" } }, NAME);
    expectPositionals(flags, 1, Infinity, NAME);
    const format = parseFormat(flags.strings.format, "docker", NAME);
    const store = await openImageStore(io.env);
    const out = flags.strings.output;
    if (out === undefined || out === "-") {
      if (io.stdout.isTTY === true) throw usageError("INFRA_CLI_ARGUMENT_MISSING", "infra save writes a tar archive, and stdout is a terminal: give -o FILE or redirect it", NAME);
      const images = await collectExportImages(store, flags.positionals);
      io.stdout.write(exportArchiveBytes(await exportLayoutFiles(store, images, format), false));
      return 0;
    }
    const target = resolvePath(io.cwd, out);
    const result = await exportImages(store, flags.positionals, { format, output: target, directory: false });
    io.stderr.write(renderExported(result, out, format));
    return 0;
  },
};
