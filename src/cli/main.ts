/**
 * The CLI's composition root: parses the global flags, finds the command, runs it, and turns
 * whatever it throws into diagnostics on stderr and an exit status (0 ok, 1 error, 2 changes
 * with --detailed-exitcode). Nothing else in infra prints.
 */
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { InfraError, isInfraError } from "../diag/infra-error.js";
import { Interrupt } from "../diag/interrupt.js";
import { isProviderError } from "../providers/contract.js";
import type { Command, CommandIO } from "./command.js";
import { COMMANDS, loadAllCommands, loadCommand } from "./commands/index.js";
import { findCommand, renderCommandHelp, renderHelp } from "./help.js";
import { infraVersion } from "./infra-version.js";
import { addFile, DEFAULT_STACK_FILE } from "./stack-context.js";

export type MainIO = Pick<CommandIO, "stdout" | "stderr" | "stdin" | "env" | "cwd">;

export async function main(argv: readonly string[], base: MainIO, signal?: AbortSignal): Promise<number> {
  const io: CommandIO = {
    ...base,
    color: base.stdout.isTTY === true && !base.env.NO_COLOR,
    options: { file: DEFAULT_STACK_FILE },
  };
  if (signal !== undefined) io.signal = signal;
  try {
    return await dispatch([...argv], io);
  } catch (e) {
    return await reportError(e, io);
  }
}

async function dispatch(argv: string[], io: CommandIO): Promise<number> {
  // Global flags come before the command; stack commands accept them after it too.
  let i = 0;
  for (; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith("-")) break;
    const [flag, inline] = a.startsWith("--") && a.includes("=") ? [a.slice(0, a.indexOf("=")), a.slice(a.indexOf("=") + 1)] : [a, undefined];
    const value = (): string => {
      if (inline !== undefined) return inline;
      const v = argv[++i];
      if (v === undefined) throw new InfraError("INFRA_CLI_FLAG_VALUE_MISSING", `Flag ${flag} needs a value`, { hint: "Run `infra help` to see the usage." });
      return v;
    };
    switch (flag) {
      case "--version":
        io.stdout.write(`infra ${infraVersion()}\n`);
        return 0;
      case "-h":
      case "--help":
        io.stdout.write(renderHelp(await loadAllCommands()));
        return 0;
      case "--no-color":
        io.color = false;
        break;
      case "-C":
      case "--chdir":
        io.cwd = resolve(io.cwd, value());
        break;
      case "-f":
      case "--file":
        io.options = addFile(io.options!, value());
        break;
      case "-p":
      case "--project":
        io.options = { ...io.options!, project: value() };
        break;
      default:
        throw new InfraError("INFRA_CLI_UNKNOWN_FLAG", `Unknown flag ${flag}`, { hint: "Run `infra help` to see the global flags and the commands." });
    }
  }
  const rest = argv.slice(i);
  if (rest.length === 0 || rest[0] === "help") {
    const words = rest.slice(1);
    if (words.length === 0) {
      io.stdout.write(renderHelp(await loadAllCommands()));
      return rest.length === 0 ? 1 : 0;
    }
    const found = findCommand(COMMANDS, words);
    if (found === undefined) throw unknownCommand(words);
    io.stdout.write(renderCommandHelp(await loadCommand(found.command)));
    return 0;
  }
  const found = findCommand(COMMANDS, rest);
  if (found === undefined) throw unknownCommand(rest);
  const args = rest.slice(found.words);
  const command = await loadCommand(found.command);
  if (asksForHelp(args)) {
    io.stdout.write(renderCommandHelp(command));
    return 0;
  }
  return command.run(args, io);
}

/**
 * `-h` or `--help` among the command's own flags, before its first positional argument: after it,
 * they belong to the container's command (`infra exec web httpd -h /www`).
 */
export function asksForHelp(args: readonly string[]): boolean {
  for (const a of args) {
    if (a === "-h" || a === "--help") return true;
    if (a === "--" || !a.startsWith("-")) return false;
  }
  return false;
}

function unknownCommand(words: string[]): InfraError {
  const group = COMMANDS.filter((c) => c.name[0] === words[0] && c.name.length > 1);
  if (group.length > 0) {
    return new InfraError("INFRA_CLI_UNKNOWN_COMMAND", `"infra ${words.join(" ")}" is not a command`, {
      hint: `"infra ${words[0]}" takes one of: ${group.map((c) => c.name.slice(1).join(" ")).join(", ")}.`,
    });
  }
  return new InfraError("INFRA_CLI_UNKNOWN_COMMAND", `Unknown command "${words[0]}"`, { hint: "Run `infra help` to see the commands." });
}

/**
 * Errors become diagnostics on stderr; the exit status is the error's own, 1 by default. The
 * renderer (and chalk) load only when there is something to render.
 */
export async function reportError(e: unknown, io: CommandIO): Promise<number> {
  const { printDiagnostics } = await import("./print-diagnostics.js");
  if (isInfraError(e)) {
    printDiagnostics(io, e.toDiagnostics());
    if (e.diagnostics.length > 0) io.stderr.write(`${e.summary}.\n`);
    return e.exitCode === 0 ? 1 : e.exitCode;
  }
  if (isProviderError(e)) {
    // The category is for callers to branch on; it is news to a reader only when it says "try again".
    const d = { code: e.code, severity: "error" as const, summary: e.message, ...(e.category === "Unavailable" ? { detail: "This failure is temporary: the same command may succeed when tried again." } : {}) };
    printDiagnostics(io, [e.hint !== undefined ? { ...d, hint: e.hint } : d]);
    return 1;
  }
  const err = e instanceof Error ? e : new Error(String(e));
  printDiagnostics(io, [
    {
      code: "INFRA_CLI_INTERNAL",
      severity: "error",
      summary: `Internal error: ${err.message}`,
      ...(io.env.INFRA_DEBUG ? { detail: err.stack ?? "" } : {}),
      hint: "This is a bug in infra. Run again with INFRA_DEBUG=1 for the stack trace, and report it.",
    },
  ]);
  return 1;
}

/** Runs the CLI in this process: Ctrl-C or SIGTERM aborts the running command; a second Ctrl-C exits at once. */
export async function runCli(argv: readonly string[] = process.argv.slice(2)): Promise<void> {
  const controller = new AbortController();
  let interrupts = 0;
  const onSignal = (sig: NodeJS.Signals): void => {
    interrupts++;
    if (interrupts > 1) {
      process.stderr.write("\nTwo interrupts received. Exiting immediately; state may be missing the steps that were running.\n");
      process.exit(130);
    }
    const reason = new Interrupt(sig === "SIGINT" ? "SIGINT" : "SIGTERM");
    // A running stack program is ended here, at once, and takes the interrupt: its error is the message.
    controller.abort(reason);
    // Said only when stopping takes a while (an apply finishing its steps): `logs -f` just ends.
    if (!reason.taken) setTimeout(() => process.stderr.write(`\n${sig === "SIGINT" ? "Interrupt received" : "Termination requested"}. Stopping: waiting for running operations to finish and state to be written...\n`), 300).unref();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  try {
    const code = await main(argv, { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env, cwd: process.cwd() }, controller.signal);
    const reason: unknown = controller.signal.reason;
    process.exitCode = controller.signal.aborted && code === 0 ? (reason instanceof Interrupt ? reason.exitCode : 130) : code;
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}

// Run when started directly (`node dist/cli/main.js`, or through tsx in tests); bin/infra calls runCli.
const entry = process.argv[1];
if (entry !== undefined && import.meta.url === pathToFileURL(resolve(entry)).href) {
  void runCli();
}
