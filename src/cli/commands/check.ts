import type { Command } from "../command.js";
import { loadGraph } from "../load-graph.js";
import { expectPositionals, parseFlags } from "../parse-flags.js";
import { existingStack } from "../stack-context.js";
import { STACK_FLAGS, STACK_FLAGS_USAGE, STACK_RUN_FLAGS, STACK_RUN_FLAGS_USAGE, stackLimits, withStackFlags } from "../stack-flags.js";

export const checkCommand: Command = {
  name: ["check"],
  aliases: [["validate"]],
  summary: "Type-check and validate the stack (no state, no engine, no root)",
  usage: `Usage: infra check

Type-checks the stack file, runs it, and validates the resource graph. Reads no state,
starts no engine and needs no root. Exit status 0 when the stack is valid, 1 otherwise.

${STACK_RUN_FLAGS_USAGE}

${STACK_FLAGS_USAGE}`,
  async run(argv, baseIo) {
    const parsed = parseFlags(argv, { ...STACK_FLAGS, ...STACK_RUN_FLAGS }, "check");
    expectPositionals(parsed, 0, 0, "check");
    const io = withStackFlags(baseIo, parsed);
    const ctx = existingStack(io);
    const { graph } = await loadGraph(ctx, io, stackLimits(parsed, io, "check"));
    const n = graph.resources.length;
    io.stdout.write(`Success! The stack "${graph.stack}" is valid: ${n} resource${n === 1 ? "" : "s"}, ${graph.outputs.length} output${graph.outputs.length === 1 ? "" : "s"}.\n`);
    return 0;
  },
};
