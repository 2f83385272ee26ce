import { InfraError } from "../../diag/infra-error.js";
import { containsSecret, unwrapSecrets, type Value } from "../../graph/value.js";
import { renderOutputs } from "../../views/outputs-view.js";
import type { Command } from "../command.js";
import { expectPositionals, parseFlags } from "../parse-flags.js";
import { stackContext } from "../stack-context.js";
import { STACK_FLAGS, STACK_FLAGS_USAGE, withStackFlags } from "../stack-flags.js";
import { openBackend } from "../state-session.js";

export const outputCommand: Command = {
  name: ["output"],
  summary: "Show the stack's outputs",
  usage: `Usage: infra output [NAME] [--json] [--show-secrets]

Shows the outputs recorded by the last apply. With NAME, prints only that value (a string
without quotes, anything else as JSON), for use in scripts. Secret outputs are shown as
(sensitive value) unless --show-secrets is given.

  --json           print as JSON: {"NAME": {"value": ..., "sensitive": bool}} (or one value with NAME)
  --show-secrets   print secret values

${STACK_FLAGS_USAGE}`,
  async run(argv, baseIo) {
    const parsed = parseFlags(argv, { ...STACK_FLAGS, json: { kind: "boolean" }, "show-secrets": { kind: "boolean" } }, "output");
    expectPositionals(parsed, 0, 1, "output");
    const io = withStackFlags(baseIo, parsed);
    const show = parsed.booleans["show-secrets"] === true;
    const state = await (await openBackend(stackContext(io))).read();
    const outputs = state?.outputs ?? {};
    const name = parsed.positionals[0];
    const json = parsed.booleans.json === true;
    if (name !== undefined) {
      const v = outputs[name];
      if (v === undefined) {
        const known = Object.keys(outputs).sort();
        throw new InfraError("INFRA_CLI_OUTPUT_NOT_FOUND", `No output named "${name}"`, {
          detail: known.length === 0 ? "The state records no outputs; apply the stack first." : `Outputs: ${known.join(", ")}`,
          hint: "Run `infra output` to list them.",
        });
      }
      const secret = containsSecret(v);
      if (secret && !show) {
        io.stderr.write(`The output "${name}" is secret; pass --show-secrets to print it.\n`);
        io.stdout.write(json ? "null\n" : "(sensitive value)\n");
        return 0;
      }
      const plain = unwrapSecrets(v);
      io.stdout.write(json ? JSON.stringify(plain) + "\n" : typeof plain === "string" ? plain + "\n" : JSON.stringify(plain) + "\n");
      return 0;
    }
    if (json) {
      const doc: Record<string, { value: Value; sensitive: boolean }> = {};
      for (const k of Object.keys(outputs).sort()) {
        const v = outputs[k] as Value;
        const secret = containsSecret(v);
        doc[k] = { value: secret && !show ? null : unwrapSecrets(v), sensitive: secret };
      }
      io.stdout.write(JSON.stringify(doc, null, 2) + "\n");
      return 0;
    }
    if (Object.keys(outputs).length === 0) {
      io.stderr.write("No outputs recorded: the stack has none, or it has not been applied.\n");
      return 0;
    }
    const shown = show ? Object.fromEntries(Object.entries(outputs).map(([k, v]) => [k, unwrapSecrets(v)])) : outputs;
    io.stdout.write(renderOutputs(shown, { color: io.color }));
    return 0;
  },
};
