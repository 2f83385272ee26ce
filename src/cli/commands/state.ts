/** `infra state list|show|rm|mv`: read and repair recorded state. Changes take the lock. */
import { InfraError } from "../../diag/infra-error.js";
import type { StateFile } from "../../state/state-types.js";
import { renderDeposedObject, renderResourceState, renderStateList } from "../../views/state-view.js";
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
  usage: `Usage: infra state list\n\nLists every resource the state records: address, provider and id. An address with objects\nleft over from a partially-failed replacement ends with "(N deposed)"; the next apply destroys them.\n\n${STACK_FLAGS_USAGE}`,
  async run(argv, baseIo) {
    const parsed = parseFlags(argv, STACK_FLAGS, "state list");
    expectPositionals(parsed, 0, 0, "state list");
    const io = withStackFlags(baseIo, parsed);
    const { listResources } = await import("../../state/state-ops.js");
    const { pendingDeposed } = await import("../../state/deposed-objects.js");
    const state = await (await openBackend(stackContext(io))).read();
    io.stdout.write(renderStateList(listResources(state), pendingDeposed(state)));
    return 0;
  },
};

export const stateShowCommand: Command = {
  name: ["state", "show"],
  summary: "Show one resource in the state",
  usage: `Usage: infra state show ADDR\n\nShows what the state records for ADDR (secrets hidden), and its deposed objects if any.\n\n${STACK_FLAGS_USAGE}`,
  async run(argv, baseIo) {
    const parsed = parseFlags(argv, STACK_FLAGS, "state show");
    expectPositionals(parsed, 1, 1, "state show");
    const io = withStackFlags(baseIo, parsed);
    const { showResource } = await import("../../state/state-ops.js");
    const { pendingDeposed } = await import("../../state/deposed-objects.js");
    const state = await (await openBackend(stackContext(io))).read();
    const address = parsed.positionals[0]!;
    const deposed = pendingDeposed(state).filter((d) => d.address === address);
    const blocks: string[] = [];
    const current = state?.resources.some((r) => r.address === address) === true;
    // An address may hold only deposed objects (its current one destroyed); else showResource names what is missing.
    if (current || deposed.length === 0) blocks.push(renderResourceState(showResource(state, address), { color: io.color }));
    for (const d of deposed) blocks.push(renderDeposedObject(d, { color: io.color }));
    io.stdout.write(blocks.join("\n"));
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
  }, io);
}
