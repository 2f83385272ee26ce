// `infra help CMD` names every flag the command declares it accepts, long and short.
import t from "tap";
import { COMMANDS, loadCommand } from "../../src/cli/commands/index.js";
import { renderCommandHelp } from "../../src/cli/help.js";

t.test("every declared flag is in the command's help", async (t) => {
  let declared = 0;
  for (const entry of COMMANDS) {
    const c = await loadCommand(entry);
    if (c.flags === undefined) continue;
    declared++;
    const help = renderCommandHelp(c);
    for (const [name, spec] of Object.entries(c.flags)) {
      t.match(help, new RegExp(`--${name}\\b`), `infra ${c.name.join(" ")}: --${name}`);
      if (spec.short !== undefined) t.match(help, new RegExp(`-${spec.short}\\b`), `infra ${c.name.join(" ")}: -${spec.short}`);
    }
  }
  t.ok(declared >= 15, `the container commands declare their flags (${declared})`);
});
