/** `infra engine`: run the local container engine in the foreground (the CLI starts it on demand too). */
import type { Command } from "../command.js";
import { expectPositionals, parseFlags } from "../parse-flags.js";
import { runEngineForever } from "../../providers/local-runtime/engine/engine-entry.js";
import { runArgvHandler } from "../run-argv.js";

export const engineCommand: Command = {
  name: ["engine"],
  summary: "Run the local container engine",
  usage: "Usage: infra engine\n\nServes the engine API on $INFRA_RUN/engine.sock (default /run/infra). State in $INFRA_ROOT (default /var/lib/infra).",
  async run(argv, io) {
    const f = parseFlags(argv, {}, "engine");
    expectPositionals(f, 0, 0, "engine");
    // The native launcher's `infra run` sends its command line: this CLI's parser reads it.
    const o: { root?: string; run?: string; runArgv: typeof runArgvHandler } = { runArgv: runArgvHandler };
    if (io.env.INFRA_ROOT) o.root = io.env.INFRA_ROOT;
    if (io.env.INFRA_RUN) o.run = io.env.INFRA_RUN;
    await runEngineForever(o);
    return 0;
  },
};
