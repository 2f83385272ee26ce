/** The runc command line, with the engine's state root. */
import { mustRun, runCommand, type CommandResult } from "../host/run-command.js";

export class Runc {
  constructor(readonly root: string, readonly binary = "runc") {}

  private args(a: string[]): string[] {
    return ["--root", this.root, ...a];
  }

  async state(id: string): Promise<{ status: string; pid: number } | undefined> {
    const r = await runCommand(this.binary, this.args(["state", id]));
    if (r.code !== 0) return undefined;
    return JSON.parse(r.stdout) as { status: string; pid: number };
  }

  start(id: string): Promise<string> {
    return mustRun(this.binary, this.args(["start", id]));
  }

  async kill(id: string, signal: string, all = false): Promise<void> {
    await runCommand(this.binary, this.args(["kill", ...(all ? ["--all"] : []), id, signal]));
  }

  async delete(id: string): Promise<void> {
    await runCommand(this.binary, this.args(["delete", "--force", id]));
  }

  pause(id: string): Promise<string> {
    return mustRun(this.binary, this.args(["pause", id]));
  }

  resume(id: string): Promise<string> {
    return mustRun(this.binary, this.args(["resume", id]));
  }

  update(id: string, flags: string[]): Promise<string> {
    return mustRun(this.binary, this.args(["update", ...flags, id]));
  }

  ps(id: string): Promise<string> {
    return mustRun(this.binary, this.args(["ps", id]));
  }

  /** Runs a process (spec file) in the container and collects its output and exit code. */
  exec(id: string, processFile: string, input?: string | Uint8Array, timeoutMs?: number): Promise<CommandResult> {
    const opts: { input?: string | Uint8Array; timeoutMs?: number } = {};
    if (input !== undefined) opts.input = input;
    if (timeoutMs !== undefined) opts.timeoutMs = timeoutMs;
    return runCommand(this.binary, this.args(["exec", "--process", processFile, id]), opts);
  }

  /** argv to run an exec in the foreground with the caller's stdio (TTY sessions). */
  execArgv(id: string, processFile: string): string[] {
    return [this.binary, ...this.args(["exec", "--process", processFile, id])];
  }
}
