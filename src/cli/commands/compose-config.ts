/** `infra compose config`: prints the normalised project as a compose file, like `docker compose config`. */
import { hasErrors } from "../../diag/diagnostic.js";
import { InfraError } from "../../diag/infra-error.js";
import { composeFileIn } from "../../compose/find-compose-file.js";
import { renderComposeConfig } from "../../compose/compose-config.js";
import { loadComposeProject } from "../../compose/load-compose.js";
import { printDiagnostics } from "../print-diagnostics.js";
import type { Command, CommandIO } from "../command.js";
import { parseFlags } from "../parse-flags.js";

const NAME = "compose config";

export const composeConfigCommand: Command = {
  name: ["compose", "config"],
  summary: "Print the normalised compose file (YAML, or JSON)",
  usage: [
    "Usage: infra compose config [-f FILE]... [-p NAME] [--profile NAME]... [--json]",
    "",
    "Reads the compose file(s), merges them in order, resolves extends, profiles and variables,",
    "and prints the model infra plans from as one compose file, in the Compose Specification's",
    "keys and units (durations \"1m30s\", sizes in bytes, restart \"on-failure:3\"), every $ of",
    "a value written $$. docker-compose and infra read the output back to the same project; it",
    "has no top-level name (docker-compose 1.x refuses one): give -p NAME when you use it.",
    "Without -f: compose.yaml or docker-compose.yml here.",
  ].join("\n"),
  async run(argv: string[], io: CommandIO): Promise<number> {
    const flags = parseFlags(argv, { file: { kind: "list", short: "f" }, project: { kind: "string", short: "p" }, profile: { kind: "list" }, json: { kind: "boolean" } }, NAME);
    let files = flags.lists.file ?? [];
    if (files.length === 0 && io.options?.file !== undefined && /\.ya?ml$/.test(io.options.file)) files = [io.options.file];
    if (files.length === 0) {
      const found = composeFileIn(io.cwd);
      if (!found) {
        throw new InfraError("INFRA_COMPOSE_FILE", `no compose file in ${io.cwd}`, {
          hint: "Pass -f FILE, or run it where compose.yaml or docker-compose.yml is.",
        });
      }
      files = [found];
    }
    const project = flags.strings.project ?? io.options?.project;
    const { project: model, diagnostics } = await loadComposeProject({
      files,
      env: io.env,
      cwd: io.cwd,
      ...(project !== undefined ? { projectName: project } : {}),
      ...(flags.lists.profile ? { profiles: flags.lists.profile } : {}),
    });
    printDiagnostics(io, diagnostics);
    if (hasErrors(diagnostics)) return 1;
    io.stdout.write(renderComposeConfig(model, flags.booleans.json ? "json" : "yaml"));
    return 0;
  },
};
