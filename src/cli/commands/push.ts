/** `infra push LOCAL [REMOTE]`: copies a local image to an OCI registry. */
import { authFilePath } from "../../providers/local-runtime/registry/credentials.js";
import { pushImage } from "../../providers/local-runtime/registry/push-image.js";
import type { Command, CommandIO } from "../command.js";
import { expectPositionals, parseFlags } from "../parse-flags.js";
import { formatBytes, openImageStore, renderBlobProgress } from "./pull.js";

const NAME = "push";

export const pushCommand: Command = {
  name: ["push"],
  aliases: [["image", "push"]],
  summary: "Copy a local image to a registry",
  usage: [
    "Usage: infra push [-q] LOCAL [HOST[:PORT]/NAME[:TAG]]",
    "",
    "Uploads the image LOCAL (a name or id in the local store) as REMOTE, or under its own name",
    "when that names a registry. Blobs the registry already holds are skipped, blobs another",
    "repository of the same registry holds are mounted, the rest are uploaded whole; the",
    "manifest's exact bytes go last, so the digest is the same as the local one.",
    "",
    "  -q, --quiet   print only the manifest digest",
  ].join("\n"),
  async run(argv: string[], io: CommandIO): Promise<number> {
    const flags = parseFlags(argv, { quiet: { kind: "boolean", short: "q" } }, NAME);
    expectPositionals(flags, 1, 2, NAME);
    const [local, remote] = flags.positionals as [string, string | undefined];
    const quiet = flags.booleans.quiet === true;
    const store = await openImageStore(io.env);
    const result = await pushImage(store, local, remote, {
      authFile: authFilePath(io.env),
      ...(io.signal ? { signal: io.signal } : {}),
      onProgress: (p) => {
        const line = quiet ? undefined : renderBlobProgress(p);
        if (line !== undefined) io.stderr.write(line);
      },
    });
    if (quiet) {
      io.stdout.write(`${result.digest}\n`);
      return 0;
    }
    const { uploaded, mounted, exists } = result.counts;
    io.stderr.write(`Uploaded ${uploaded} (${formatBytes(result.uploadedBytes)}), mounted ${mounted}, already there ${exists}\n`);
    io.stdout.write(`${result.name}: digest: ${result.digest}\n`);
    return 0;
  },
};
