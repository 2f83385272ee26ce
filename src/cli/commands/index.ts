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
import { buildCommand } from "./build.js";
import { networkLsCommand } from "./network-ls.js";
import { networkCreateCommand } from "./network-create.js";
import { networkInspectCommand } from "./network-inspect.js";
import { networkRmCommand } from "./network-rm.js";
import { networkConnectCommand } from "./network-connect.js";
import { networkDisconnectCommand } from "./network-disconnect.js";
import { networkPruneCommand } from "./network-prune.js";
import { pullCommand } from "./pull.js";
import { pushCommand } from "./push.js";
import { tagCommand } from "./tag.js";
import { loginCommand } from "./login.js";
import { logoutCommand } from "./logout.js";
import { composeConfigCommand } from "./compose-config.js";
import { importComposeCommand } from "./import-compose.js";

import { runCommand } from "./run.js";
import { createCommand } from "./create.js";
import { containerVerbCommands } from "./container-verbs.js";
import { psCommand } from "./ps.js";
import { portCommand } from "./port.js";
import { logsCommand } from "./logs.js";
import { cpCommand } from "./cp.js";
import { execCommand } from "./exec.js";
import { statsCommand } from "./stats.js";
import { imagesCommand, rmiCommand } from "./images.js";
import { volumeCommands } from "./volume.js";
import { engineCommand } from "./engine.js";
import { loadCommand } from "./load.js";
import { saveCommand } from "./save.js";
import { imageImportCommand } from "./image-import.js";
import { imageExportCommand } from "./image-export.js";

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
  networkLsCommand,
  networkCreateCommand,
  networkInspectCommand,
  networkRmCommand,
  networkConnectCommand,
  networkDisconnectCommand,
  networkPruneCommand,
  imageParseCommand,
  buildCommand,
  pullCommand,
  pushCommand,
  tagCommand,
  loginCommand,
  logoutCommand,
  versionCommand,
  runCommand,
  createCommand,
  ...containerVerbCommands,
  psCommand,
  portCommand,
  logsCommand,
  cpCommand,
  execCommand,
  statsCommand,
  imagesCommand,
  rmiCommand,
  loadCommand,
  saveCommand,
  imageImportCommand,
  imageExportCommand,
  ...volumeCommands,
  engineCommand,
];
