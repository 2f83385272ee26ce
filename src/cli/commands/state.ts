/** `infra state list|show|rm|mv`: read and repair recorded state. Changes take the lock. */
import { InfraError } from "../../diag/infra-error.js";
import type { StateFile } from "../../state/state-types.js";
import { renderResourceState } from "../../views/state-view.js";
import type { Command, CommandIO } from "../command.js";
import { expectPositionals, parseFlags } from "../parse-flags.js";
import { lockTimeout } from "../plan-flags.js";
import { stackContext } from "../stack-context.js";
import { STACK_FLAGS, STACK_FLAGS_USAGE, withStackFlags } from "../stack-flags.js";
import { openBackend, withLock } from "../state-session.js";

const LOCK_FLAGS = { "lock-timeout": { kind: "string" as const } };

export const stateListCommand: Command = {
  name: ["state", "list"],
  summary: "List the resources in the state",
  usage: `Usage: infra state list\n\nLists every resource the state records: address, provider and id.\n\n${STACK_FLAGS_USAGE}`,
  async run(argv, baseIo) {
    const parsed = parseFlags(argv, STACK_FLAGS, "state list");
    expectPositionals(parsed, 0, 0, "state list");
    const io = withStackFlags(baseIo, parsed);
    const { listResources } = await import("../../state/state-ops.js");
    const state = await (await openBackend(stackContext(io))).read();
    const rows = listResources(state);
    const width = Math.max(0, ...rows.map((r) => r.address.length));
    for (const r of rows) io.stdout.write(`${r.address.padEnd(width)}  ${r.provider}  ${r.id}\n`);
    return 0;
  },
};

export const stateShowCommand: Command = {
  name: ["state", "show"],
  summary: "Show one resource in the state",
  usage: `Usage: infra state show ADDR\n\nShows what the state records for ADDR (secrets hidden).\n\n${STACK_FLAGS_USAGE}`,
  async run(argv, baseIo) {
    const parsed = parseFlags(argv, STACK_FLAGS, "state show");
    expectPositionals(parsed, 1, 1, "state show");
    const io = withStackFlags(baseIo, parsed);
    const { showResource } = await import("../../state/state-ops.js");
    const state = await (await openBackend(stackContext(io))).read();
    io.stdout.write(renderResourceState(showResource(state, parsed.positionals[0]!), { color: io.color }));
    return 0;
  },
};

export const stateRmCommand: Command = {
  name: ["state", "rm"],
  summary: "Forget a resource (the real object is left alone)",
  usage: `Usage: infra state rm ADDR [--lock-timeout D]\n\nRemoves ADDR from the state. The real object is not destroyed: infra stops managing it.\n\n${STACK_FLAGS_USAGE}`,
  async run(argv, baseIo) {
    const parsed = parseFlags(argv, { ...STACK_FLAGS, ...LOCK_FLAGS }, "state rm");
    expectPositionals(parsed, 1, 1, "state rm");
    const io = withStackFlags(baseIo, parsed);
    const { removeResource } = await import("../../state/state-ops.js");
    const address = parsed.positionals[0]!;
    await changeState(io, "state rm", lockTimeout(parsed, "state rm"), (s) => removeResource(s, address));
    io.stdout.write(`Removed ${address} from the state. The real object was left as it is.\n`);
    return 0;
  },
};

export const stateMvCommand: Command = {
  name: ["state", "mv"],
  summary: "Rename a resource in the state (keeps the real object)",
  usage: `Usage: infra state mv FROM TO [--lock-timeout D]\n\nRecords the object of FROM under the address TO, e.g. after renaming it in the stack,\nso that the next plan does not replace it.\n\n${STACK_FLAGS_USAGE}`,
  async run(argv, baseIo) {
    const parsed = parseFlags(argv, { ...STACK_FLAGS, ...LOCK_FLAGS }, "state mv");
    expectPositionals(parsed, 2, 2, "state mv");
    const io = withStackFlags(baseIo, parsed);
    const { moveResource } = await import("../../state/state-ops.js");
    const [from, to] = parsed.positionals as [string, string];
    await changeState(io, "state mv", lockTimeout(parsed, "state mv"), (s) => moveResource(s, from, to));
    io.stdout.write(`Moved ${from} to ${to}.\n`);
    return 0;
  },
};

/** Reads, changes and writes the state under the lock. */
async function changeState(io: CommandIO, command: string, timeoutMs: number, change: (s: StateFile) => StateFile): Promise<void> {
  const backend = await openBackend(stackContext(io));
  await withLock(backend, command, timeoutMs, async () => {
    const state = await backend.read();
    if (state === undefined) {
      throw new InfraError("INFRA_CLI_NO_STATE", `There is no state for the stack yet (${backend.location})`, { hint: "Nothing has been applied; there is nothing to change." });
    }
    await backend.write(change(state));
  });
}
