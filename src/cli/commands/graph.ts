import { execa } from "execa";
import { InfraError } from "../../diag/infra-error.js";
import type { Command } from "../command.js";
import { loadGraph } from "../load-graph.js";
import { expectPositionals, parseFlags } from "../parse-flags.js";
import { existingStack } from "../stack-context.js";
import { STACK_FLAGS, STACK_FLAGS_USAGE, STACK_RUN_FLAGS, STACK_RUN_FLAGS_USAGE, stackLimits, withStackFlags } from "../stack-flags.js";

export const graphCommand: Command = {
  name: ["graph"],
  summary: "Print the resource graph (DOT, or SVG with --svg)",
  usage: `Usage: infra graph [--svg]

Prints the stack's resource graph in Graphviz DOT. With --svg, renders it to SVG with
Graphviz's \`dot\` (apt-get install graphviz).

${STACK_RUN_FLAGS_USAGE}

${STACK_FLAGS_USAGE}`,
  async run(argv, baseIo) {
    const parsed = parseFlags(argv, { ...STACK_FLAGS, ...STACK_RUN_FLAGS, svg: { kind: "boolean" } }, "graph");
    expectPositionals(parsed, 0, 0, "graph");
    const io = withStackFlags(baseIo, parsed);
    const { graph } = await loadGraph(existingStack(io), io, stackLimits(parsed, io, "graph"));
    const { toDot } = await import("../../graph/graph-ops.js");
    const dot = toDot(graph);
    if (parsed.booleans.svg !== true) {
      io.stdout.write(dot.endsWith("\n") ? dot : dot + "\n");
      return 0;
    }
    const r = await execa("dot", ["-Tsvg"], { input: dot, reject: false });
    if (r.failed && (r as { code?: string }).code === "ENOENT") {
      throw new InfraError("INFRA_CLI_GRAPHVIZ_MISSING", "Graphviz `dot` is not installed", {
        hint: "Install it (apt-get install graphviz), or run `infra graph` without --svg and render the DOT elsewhere.",
      });
    }
    if (r.exitCode !== 0) {
      throw new InfraError("INFRA_CLI_GRAPHVIZ_FAILED", `dot exited with status ${r.exitCode}`, { detail: String(r.stderr) });
    }
    io.stdout.write(String(r.stdout) + "\n");
    return 0;
  },
};
