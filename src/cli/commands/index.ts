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

export const COMMANDS: Command[] = [
  initCommand,
  checkCommand,
  planCommand,
  applyCommand,
  destroyCommand,
  refreshCommand,
  importCommand,
  outputCommand,
  stateListCommand,
  stateShowCommand,
  stateRmCommand,
  stateMvCommand,
  graphCommand,
  versionCommand,
];
