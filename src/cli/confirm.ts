/**
 * Asks for approval before changing anything. Only "yes" approves (as Terraform); without a
 * terminal nobody can answer, so the command refuses unless --yes was given.
 */
import { createInterface } from "node:readline";
import { InfraError } from "../diag/infra-error.js";
import type { CommandIO } from "./command.js";

export async function confirm(io: CommandIO, question: string, command: string): Promise<boolean> {
  if (io.stdin.isTTY !== true) {
    throw new InfraError("INFRA_CLI_APPROVAL_REQUIRED", `"infra ${command}" needs approval, and there is no terminal to ask on`, {
      hint: `Review the plan above, then run \`infra ${command} --yes\`; or save a plan with \`infra plan --out FILE\` and apply that file.`,
    });
  }
  io.stdout.write(`\n${question}\n  Only 'yes' will be accepted to approve.\n\n  Enter a value: `);
  const rl = createInterface({ input: io.stdin, terminal: false });
  try {
    const answer = await new Promise<string>((resolve) => {
      rl.once("line", resolve);
      rl.once("close", () => resolve(""));
    });
    io.stdout.write("\n");
    return answer.trim() === "yes";
  } finally {
    rl.close();
  }
}
