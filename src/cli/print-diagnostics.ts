import { readFileSync } from "node:fs";
import type { Diagnostic } from "../diag/diagnostic.js";
import { renderDiagnostics } from "../views/diagnostics-view.js";
import type { CommandIO } from "./command.js";

/** Writes diagnostics to stderr, with code frames read from the user's files. */
export function printDiagnostics(io: CommandIO, diags: readonly Diagnostic[]): void {
  if (diags.length === 0) return;
  io.stderr.write("\n" + renderDiagnostics(diags, { color: stderrColor(io), source: readSource }));
}

export function stderrColor(io: CommandIO): boolean {
  return io.color && io.stderr.isTTY === true;
}

function readSource(file: string): string | undefined {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
}
