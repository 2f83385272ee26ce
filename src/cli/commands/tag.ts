/** `infra tag SRC DST`: gives a local image another name. */
import { InfraError } from "../../diag/infra-error.js";
import { SCRATCH } from "../../providers/local-runtime/image/image-store.js";
import { normalizeImageName } from "../../providers/local-runtime/image/image-ref.js";
import type { Command, CommandIO } from "../command.js";
import { expectPositionals, parseFlags } from "../parse-flags.js";
import { openImageStore } from "./pull.js";
import { reportImageEvent } from "./report-image-event.js";

const NAME = "tag";

export const tagCommand: Command = {
  name: ["tag"],
  aliases: [["image", "tag"]],
  summary: "Give a local image another name",
  usage: [
    "Usage: infra tag SOURCE TARGET",
    "",
    "SOURCE is a name or id in the local store; TARGET a name such as 127.0.0.1:5000/app:1, ready",
    "for `infra push TARGET`. An existing TARGET is moved to SOURCE's image.",
  ].join("\n"),
  async run(argv: string[], io: CommandIO): Promise<number> {
    const flags = parseFlags(argv, {}, NAME);
    expectPositionals(flags, 2, 2, NAME);
    const [src, dst] = flags.positionals as [string, string];
    const target = normalizeImageName(dst);
    const store = await openImageStore(io.env);
    const image = await store.mustResolve(src);
    if (image.names.includes(SCRATCH)) {
      throw new InfraError("INFRA_IMAGE_TAG_SCRATCH", "scratch cannot be tagged: it is built in and has no stored manifest", { hint: "build an image FROM scratch and tag that" });
    }
    await store.tag(target, image.digest);
    await reportImageEvent(io.env, "tag", image.id, [target]);
    io.stdout.write(`${target}\n`);
    return 0;
  },
};
