/** `infra image export [--format oci|docker] -o FILE|DIR IMAGE...`. */
import { exportImages } from "../../providers/local-runtime/image/image-export.js";
import type { Command, CommandIO } from "../command.js";
import { expectPositionals, parseFlags, usageError } from "../parse-flags.js";
import { resolvePath } from "./load.js";
import { openImageStore } from "./pull.js";
import { parseFormat, renderExported } from "./save.js";

const NAME = "image export";

export const imageExportCommand: Command = {
  name: ["image", "export"],
  summary: "Export images as an OCI layout (directory or tar) or a docker save archive",
  usage: [
    "Usage: infra image export [--format oci|docker] -o FILE|DIR IMAGE...",
    "",
    "--format oci (the default) writes an OCI layout: a directory, or a tar when the name ends in",
    ".tar, .tar.gz or .tgz; `skopeo inspect oci:DIR:TAG` and `umoci unpack --image DIR:TAG` read it.",
    "--format docker writes a docker save archive (a tar, in Docker ≥ 25's form). Index entries carry",
    "the full name (io.containerd.image.name) and the tag (org.opencontainers.image.ref.name).",
    "A directory must be new or empty; it appears complete or not at all.",
    "",
    "  -o, --output FILE|DIR   where to write (required)",
    "  --format oci|docker     the layout (default oci)",
  ].join("\n"),
  async run(argv: string[], io: CommandIO): Promise<number> {
    const flags = parseFlags(argv, { output: { kind: "string", short: "o" }, format: { kind: "string" } }, NAME);
    expectPositionals(flags, 1, Infinity, NAME);
    const format = parseFormat(flags.strings.format, "oci", NAME);
    const out = flags.strings.output;
    if (out === undefined) throw usageError("INFRA_CLI_ARGUMENT_MISSING", `"infra ${NAME}" needs -o FILE or -o DIR`, NAME);
    const store = await openImageStore(io.env);
    const result = await exportImages(store, flags.positionals, { format, output: resolvePath(io.cwd, out) });
    io.stderr.write(renderExported(result, out, format));
    return 0;
  },
};
