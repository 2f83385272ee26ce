import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, relative } from "node:path";
import { InfraError } from "../../diag/infra-error.js";
import type { Command } from "../command.js";
import { expectPositionals, parseFlags } from "../parse-flags.js";
import { stackContext } from "../stack-context.js";
import { STACK_FLAGS, STACK_FLAGS_USAGE, withStackFlags } from "../stack-flags.js";

export const initCommand: Command = {
  name: ["init"],
  summary: "Write a starter stack (infra.ts) in the current directory",
  usage: `Usage: infra init [-f FILE]

Writes a starter stack: a network, a volume, two containers and a published port.
Refuses to overwrite an existing file.

${STACK_FLAGS_USAGE}`,
  async run(argv, baseIo) {
    const parsed = parseFlags(argv, STACK_FLAGS, "init");
    expectPositionals(parsed, 0, 0, "init");
    const io = withStackFlags(baseIo, parsed);
    const ctx = stackContext(io);
    if (existsSync(ctx.file)) {
      throw new InfraError("INFRA_CLI_INIT_EXISTS", `${ctx.file} already exists`, {
        detail: "infra init never overwrites a file.",
        hint: "Edit the existing stack, remove it first, or pass -f FILE to write the starter stack elsewhere.",
      });
    }
    const { STARTER_STACK } = await import("../../dsl/starter-stack.js");
    await mkdir(dirname(ctx.file), { recursive: true });
    await writeFile(ctx.file, STARTER_STACK, { flag: "wx" });
    const shown = relative(io.cwd, ctx.file) || ctx.file;
    io.stdout.write(`Wrote ${shown}: a starter stack with a network, a volume and two containers.

Next:
  infra check     type-check and validate it
  infra plan      see what applying it would do
  infra apply     create it
`);
    return 0;
  },
};
