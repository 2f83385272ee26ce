/**
 * `exec -i` / `exec -t`: runc exec in the foreground with the terminal's stdin and stdout. runc's
 * own failure (the command not found, not executable) goes to its JSON log, which we read: then
 * the plain copy runc also prints on stderr is held back, and the failure is one line with
 * Docker's code (127 / 126) instead of runc's text and 255.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { InfraError } from "../../diag/infra-error.js";
import { commandFailure } from "../../providers/local-runtime/container/command-failure.js";
import type { CommandIO } from "../command.js";
import { reportError } from "../main.js";
import { commandExitCode, reportExecFailure } from "../run-failure.js";

/** runc's error messages in its JSON log. */
function runcErrors(logFile: string): string[] {
  let text = "";
  try { text = readFileSync(logFile, "utf8"); } catch { return []; }
  return text.split("\n").flatMap((l) => {
    try {
      const e = JSON.parse(l) as { level?: string; msg?: string };
      return (e.level === "error" || e.level === "fatal") && typeof e.msg === "string" ? [e.msg] : [];
    } catch { return []; }
  });
}

export async function execAttached(runcArgv: string[], container: string, io: CommandIO): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), "infra-exec-"));
  const log = join(dir, "runc.log");
  try {
    // Global flags go before the verb: runc --log F --log-format json --root R exec ...
    const child = spawn(runcArgv[0]!, ["--log", log, "--log-format", "json", ...runcArgv.slice(1)], { stdio: ["inherit", "inherit", "pipe"] });
    child.stderr!.on("data", (d: Buffer) => {
      // runc logs its error before it prints it: a chunk that is exactly that message is runc's, not the command's.
      if (runcErrors(log).some((m) => d.toString() === `${m}\n`)) return;
      io.stderr.write(d);
    });
    const code = await new Promise<number>((resolve) => child.on("close", (c, sig) => resolve(c ?? (sig ? 128 + 9 : 1))));
    const errors = code === 255 ? runcErrors(log) : [];
    if (errors.length === 0) return code;
    const msg = errors.at(-1)!;
    const typed = commandFailure(msg, container);
    if (typed && commandExitCode(typed) !== undefined) return reportExecFailure(typed, io);
    // Any other failure of runc to start the process: Docker's 126, with runc's reason.
    await reportError(new InfraError("INFRA_RUNTIME_EXEC_FAILED", msg), io);
    return 126;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
