/**
 * Every command, in the order `infra help` lists them. Only names live here; a command's module
 * (and whatever heavy modules it imports: the compiler, the engine client, the builder) is loaded
 * when that command runs, so that `infra ps` or `infra run` start in tens of milliseconds.
 * Add a command by writing its file and adding a line here; `test/cli/command-registry.test.ts`
 * checks that every line matches its module.
 */
import type { Command } from "../command.js";

export interface CommandEntry {
  name: string[];
  aliases?: string[][];
  /** The module that exports this command (alone, or in an array of commands). */
  load: () => Promise<Record<string, unknown>>;
}

export const COMMANDS: CommandEntry[] = [
  { name: ["init"], load: () => import("./init.js") },
  { name: ["check"], aliases: [["validate"]], load: () => import("./check.js") },
  { name: ["plan"], load: () => import("./plan.js") },
  { name: ["apply"], load: () => import("./apply.js") },
  { name: ["destroy"], load: () => import("./destroy.js") },
  { name: ["refresh"], load: () => import("./refresh.js") },
  { name: ["import","compose"], load: () => import("./import-compose.js") },
  { name: ["import"], load: () => import("./import.js") },
  { name: ["output"], load: () => import("./output.js") },
  { name: ["state","list"], load: () => import("./state.js") },
  { name: ["state","show"], load: () => import("./state.js") },
  { name: ["state","rm"], load: () => import("./state.js") },
  { name: ["state","mv"], load: () => import("./state.js") },
  { name: ["graph"], load: () => import("./graph.js") },
  { name: ["compose","config"], load: () => import("./compose-config.js") },
  { name: ["network","ls"], aliases: [["network","list"]], load: () => import("./network-ls.js") },
  { name: ["network","create"], load: () => import("./network-create.js") },
  { name: ["network","inspect"], load: () => import("./network-inspect.js") },
  { name: ["network","rm"], aliases: [["network","remove"]], load: () => import("./network-rm.js") },
  { name: ["network","connect"], load: () => import("./network-connect.js") },
  { name: ["network","disconnect"], load: () => import("./network-disconnect.js") },
  { name: ["network","prune"], load: () => import("./network-prune.js") },
  { name: ["image","parse"], load: () => import("./image-parse.js") },
  { name: ["build"], aliases: [["image","build"]], load: () => import("./build.js") },
  { name: ["pull"], aliases: [["image","pull"]], load: () => import("./pull.js") },
  { name: ["push"], aliases: [["image","push"]], load: () => import("./push.js") },
  { name: ["tag"], aliases: [["image","tag"]], load: () => import("./tag.js") },
  { name: ["login"], load: () => import("./login.js") },
  { name: ["logout"], load: () => import("./logout.js") },
  { name: ["version"], load: () => import("./version.js") },
  { name: ["run"], aliases: [["container","run"]], load: () => import("./run.js") },
  { name: ["create"], aliases: [["container","create"]], load: () => import("./create.js") },
  { name: ["start"], aliases: [["container","start"]], load: () => import("./container-verbs.js") },
  { name: ["stop"], aliases: [["container","stop"]], load: () => import("./container-verbs.js") },
  { name: ["restart"], aliases: [["container","restart"]], load: () => import("./container-verbs.js") },
  { name: ["kill"], aliases: [["container","kill"]], load: () => import("./container-verbs.js") },
  { name: ["rm"], aliases: [["container","rm"]], load: () => import("./container-verbs.js") },
  { name: ["pause"], aliases: [["container","pause"]], load: () => import("./container-verbs.js") },
  { name: ["unpause"], aliases: [["container","unpause"]], load: () => import("./container-verbs.js") },
  { name: ["wait"], aliases: [["container","wait"]], load: () => import("./container-verbs.js") },
  { name: ["inspect"], aliases: [["container","inspect"]], load: () => import("./inspect.js") },
  { name: ["top"], aliases: [["container","top"]], load: () => import("./container-verbs.js") },
  { name: ["ps"], aliases: [["container","ls"]], load: () => import("./ps.js") },
  { name: ["port"], aliases: [["container","port"]], load: () => import("./port.js") },
  { name: ["logs"], aliases: [["container","logs"]], load: () => import("./logs.js") },
  { name: ["cp"], aliases: [["container","cp"]], load: () => import("./cp.js") },
  { name: ["exec"], aliases: [["container","exec"]], load: () => import("./exec.js") },
  { name: ["attach"], aliases: [["container","attach"]], load: () => import("./attach.js") },
  { name: ["stats"], aliases: [["container","stats"]], load: () => import("./stats.js") },
  { name: ["images"], aliases: [["image","ls"]], load: () => import("./images.js") },
  { name: ["rmi"], aliases: [["image","rm"]], load: () => import("./images.js") },
  { name: ["load"], aliases: [["image","load"]], load: () => import("./load.js") },
  { name: ["save"], aliases: [["image","save"]], load: () => import("./save.js") },
  { name: ["image","import"], load: () => import("./image-import.js") },
  { name: ["image","export"], load: () => import("./image-export.js") },
  { name: ["volume","create"], load: () => import("./volume.js") },
  { name: ["volume","ls"], aliases: [["volume","list"]], load: () => import("./volume.js") },
  { name: ["volume","inspect"], load: () => import("./volume.js") },
  { name: ["volume","rm"], load: () => import("./volume.js") },
  { name: ["volume","prune"], load: () => import("./volume.js") },
  { name: ["info"], aliases: [["system","info"]], load: () => import("./info.js") },
  { name: ["system","df"], load: () => import("./system-df.js") },
  { name: ["system","prune"], load: () => import("./system-prune.js") },
  { name: ["events"], aliases: [["system","events"]], load: () => import("./events.js") },
  { name: ["engine"], load: () => import("./engine.js") },
];

function isCommand(v: unknown): v is Command {
  return typeof v === "object" && v !== null && Array.isArray((v as Command).name) && typeof (v as Command).run === "function";
}

/** The entry's command, from its module's exports. */
export async function loadCommand(entry: CommandEntry): Promise<Command> {
  const mod = await entry.load();
  for (const v of Object.values(mod)) {
    for (const c of Array.isArray(v) ? v : [v]) {
      if (isCommand(c) && c.name.join(" ") === entry.name.join(" ")) return c;
    }
  }
  throw new Error(`command module for "${entry.name.join(" ")}" does not export it`);
}

/** Every command, loaded: for `infra help`, which lists their summaries. */
export function loadAllCommands(): Promise<Command[]> {
  return Promise.all(COMMANDS.map(loadCommand));
}
