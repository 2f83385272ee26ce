/**
 * Every command, in the order `infra help` lists them. Add a command by writing its file
 * and adding it here.
 */
import type { Command } from "../command.js";
import { applyCommand } from "./apply.js";
import { checkCommand } from "./check.js";
import { destroyCommand } from "./destroy.js";
import { graphCommand } from "./graph.js";
import { importCommand } from "./import.js";
import { initCommand } from "./init.js";
import { outputCommand } from "./output.js";
import { planCommand } from "./plan.js";
import { refreshCommand } from "./refresh.js";
import { stateListCommand, stateMvCommand, stateRmCommand, stateShowCommand } from "./state.js";
import { versionCommand } from "./version.js";
import { imageParseCommand } from "./image-parse.js";
import { composeConfigCommand } from "./compose-config.js";
import { importComposeCommand } from "./import-compose.js";

export const COMMANDS: Command[] = [
  initCommand,
  checkCommand,
  planCommand,
  applyCommand,
  destroyCommand,
  refreshCommand,
  importComposeCommand,
  importCommand,
  outputCommand,
  stateListCommand,
  stateShowCommand,
  stateRmCommand,
  stateMvCommand,
  graphCommand,
  composeConfigCommand,
  imageParseCommand,
  versionCommand,
];
