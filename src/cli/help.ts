import type { Command } from "./command.js";

/** The command whose name (or alias) is the longest prefix of `words`. */
export function findCommand<C extends Pick<Command, "name" | "aliases">>(commands: readonly C[], words: readonly string[]): { command: C; words: number } | undefined {
  let best: { command: C; words: number } | undefined;
  for (const c of commands) {
    for (const name of [c.name, ...(c.aliases ?? [])]) {
      if (name.length <= words.length && name.every((w, i) => words[i] === w) && (best === undefined || name.length > best.words)) {
        best = { command: c, words: name.length };
      }
    }
  }
  return best;
}

export function renderHelp(commands: readonly Command[]): string {
  const width = Math.max(...commands.map((c) => c.name.join(" ").length));
  const lines = commands.map((c) => `  ${c.name.join(" ").padEnd(width)}  ${c.summary}`);
  return `Usage: infra [-C DIR] [-f FILE] [-p NAME] [--no-color] COMMAND [ARGS...]

Infrastructure as code for containers: stacks written in TypeScript, planned and applied.

Commands:
${lines.join("\n")}
  ${"help".padEnd(width)}  Show this help, or a command's usage: infra help COMMAND

Global flags:
  -C DIR          run as if started in DIR
  -f FILE         the stack file (default: infra.ts, else compose.yaml or docker-compose.yml);
                  repeat it to merge compose files
  -p NAME         the stack name (default: the stack file's directory name)
  --no-color      no colour, even on a terminal (NO_COLOR is respected too)
  --version       print the version
`;
}

export function renderCommandHelp(c: Command): string {
  return `${c.usage.replace(/\s+$/, "")}\n`;
}
