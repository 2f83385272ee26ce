import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join, relative } from "node:path";
import { InfraError } from "../../diag/infra-error.js";
import type { Command, CommandIO } from "../command.js";
import { expectPositionals, parseFlags } from "../parse-flags.js";
import { stackContext } from "../stack-context.js";
import { STACK_FLAGS, STACK_FLAGS_USAGE, withStackFlags } from "../stack-flags.js";

export const initCommand: Command = {
  name: ["init"],
  summary: "Write a starter stack (infra.ts) and a tsconfig.json for editors in the current directory",
  usage: `Usage: infra init [--tsconfig] [-f FILE]

Writes a starter stack: a network, a volume, two containers and a published port. Beside it,
writes a tsconfig.json whose "paths" map "infra" to this install's type declarations (an
absolute path, with the options \`infra check\` uses), so that an editor completes and checks
the stack, and \`tsc --noEmit\` reports what \`infra check\` reports.
Refuses to overwrite a file; with a tsconfig.json already there, it prints the "paths" entry to
add to it instead.

  --tsconfig      write only the tsconfig.json (for an existing stack, or after moving or
                  reinstalling infra: remove the old tsconfig.json first)

${STACK_FLAGS_USAGE}`,
  async run(argv, baseIo) {
    const parsed = parseFlags(argv, { ...STACK_FLAGS, tsconfig: { kind: "boolean" } }, "init");
    expectPositionals(parsed, 0, 0, "init");
    const io = withStackFlags(baseIo, parsed);
    const ctx = stackContext(io);
    if (parsed.booleans.tsconfig === true) {
      await writeTsconfig(io, dirname(ctx.file), true);
      return 0;
    }
    if (existsSync(ctx.file)) {
      throw new InfraError("INFRA_CLI_INIT_EXISTS", `${ctx.file} already exists`, {
        detail: "infra init never overwrites a file.",
        hint: "Edit the existing stack, remove it first, or pass -f FILE to write the starter stack elsewhere (`infra init --tsconfig` writes only the tsconfig.json).",
      });
    }
    const { STARTER_STACK } = await import("../../dsl/starter-stack.js");
    await mkdir(dirname(ctx.file), { recursive: true });
    await writeFile(ctx.file, STARTER_STACK, { flag: "wx" });
    io.stdout.write(`Wrote ${shown(io, ctx.file)}: a starter stack with a network, a volume and two containers.\n`);
    await writeTsconfig(io, dirname(ctx.file), false);
    io.stdout.write(`
Next:
  infra check     type-check and validate it
  infra plan      see what applying it would do
  infra apply     create it
`);
    return 0;
  },
};

const shown = (io: CommandIO, file: string): string => relative(io.cwd, file) || file;

/** tsconfig.json in `dir`, never over an existing one (`required`: that is an error, not a note). */
async function writeTsconfig(io: CommandIO, dir: string, required: boolean): Promise<void> {
  const { stackTsconfig } = await import("../../dsl/loader/stack-tsconfig.js");
  const config = stackTsconfig();
  const file = join(dir, "tsconfig.json");
  if (existsSync(file)) {
    const paths = JSON.stringify({ paths: config.compilerOptions.paths }, null, 2);
    if (required) {
      throw new InfraError("INFRA_CLI_INIT_EXISTS", `${file} already exists`, {
        detail: `infra init never overwrites a file. For an editor to resolve "infra", its compilerOptions need:\n${paths}`,
        hint: "Add that entry, or remove the file and run `infra init --tsconfig` again.",
      });
    }
    io.stdout.write(`Left ${shown(io, file)} as it is. For an editor to resolve "infra", add to its compilerOptions:\n${paths}\n`);
    return;
  }
  await mkdir(dir, { recursive: true });
  await writeFile(file, JSON.stringify(config, null, 2) + "\n", { flag: "wx" });
  io.stdout.write(`Wrote ${shown(io, file)}: "infra" resolves to this install's types, for editors and \`tsc --noEmit\`.\n`);
}
