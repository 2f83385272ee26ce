/** `infra image import FILE|DIR`: a docker save archive, an OCI layout tar or an OCI layout directory. */
import { importImageArchive } from "../../providers/local-runtime/image/image-import.js";
import type { Command, CommandIO } from "../command.js";
import { expectPositionals, parseFlags } from "../parse-flags.js";
import { renderImported, resolvePath } from "./load.js";
import { openImageStore } from "./pull.js";
import { reportImageEvent } from "./report-image-event.js";

const NAME = "image import";

export const imageImportCommand: Command = {
  name: ["image", "import"],
  summary: "Import images from a docker save archive or an OCI layout (directory or tar)",
  usage: [
    "Usage: infra image import [-q] [--tag NAME]... FILE|DIR",
    "",
    "FILE is a `docker save` archive or an OCI layout tar (gzip'd or not); DIR an OCI layout",
    "directory (as written by skopeo copy oci:DIR, umoci or infra image export). Every digest is",
    "checked and the whole archive verified before anything is stored. Images keep the names the",
    "archive gives them; a bare tag in org.opencontainers.image.ref.name becomes",
    "localhost/<file name>:<tag>, and an unnamed image localhost/<file name>@<digest>.",
    "",
    "  --tag NAME    name the archive's one image NAME instead (repeatable)",
    "  -q, --quiet   print only the names",
  ].join("\n"),
  async run(argv: string[], io: CommandIO): Promise<number> {
    const flags = parseFlags(argv, { quiet: { kind: "boolean", short: "q" }, tag: { kind: "list" } }, NAME);
    expectPositionals(flags, 1, 1, NAME);
    const store = await openImageStore(io.env);
    const result = await importImageArchive(store, resolvePath(io.cwd, flags.positionals[0]!), flags.lists.tag !== undefined ? { tags: flags.lists.tag } : {});
    for (const img of result.images) await reportImageEvent(io.env, "import", img.id, img.names);
    io.stdout.write(renderImported(result, flags.booleans.quiet === true));
    return 0;
  },
};
