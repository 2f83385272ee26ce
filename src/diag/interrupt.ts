import { InfraError } from "./infra-error.js";

export type InterruptSignal = "SIGINT" | "SIGTERM";

/**
 * The reason the CLI aborts io.signal with on SIGINT or SIGTERM, carrying the exit status a shell
 * expects (130, 143). Work that stops at once (a running stack program) takes it, so that the CLI
 * does not also announce a graceful stop that will not happen.
 */
export class Interrupt extends InfraError {
  readonly signalName: InterruptSignal;
  #taken = false;

  constructor(signalName: InterruptSignal) {
    super("INFRA_CLI_INTERRUPTED", signalName === "SIGINT" ? "Interrupted" : "Terminated", { exitCode: signalName === "SIGINT" ? 130 : 143 });
    this.signalName = signalName;
  }

  take(): void {
    this.#taken = true;
  }

  get taken(): boolean {
    return this.#taken;
  }
}

export function isInterrupt(v: unknown): v is Interrupt {
  return v instanceof Interrupt;
}
