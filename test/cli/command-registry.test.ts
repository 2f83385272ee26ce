// The registry lists names only and loads a command's module when it runs: each line must
// match the command its module exports, and no two commands may claim the same words.
import t from "tap";
import { COMMANDS, loadCommand } from "../../src/cli/commands/index.js";
import { findCommand } from "../../src/cli/help.js";

t.test("every registry line matches its module's command", async (t) => {
  for (const entry of COMMANDS) {
    const c = await loadCommand(entry);
    t.same(c.name, entry.name, `${entry.name.join(" ")}: name`);
    t.same(c.aliases ?? [], entry.aliases ?? [], `${entry.name.join(" ")}: aliases`);
    t.ok(c.summary.length > 0 && c.usage.length > 0, `${entry.name.join(" ")}: summary and usage`);
  }
});

t.test("no two commands claim the same words", async (t) => {
  const seen = new Map<string, string>();
  for (const e of COMMANDS) {
    for (const words of [e.name, ...(e.aliases ?? [])]) {
      const key = words.join(" ");
      t.notOk(seen.has(key), `"${key}" is claimed once (by ${e.name.join(" ")}${seen.has(key) ? ` and ${seen.get(key)}` : ""})`);
      seen.set(key, e.name.join(" "));
    }
  }
});

t.test("the longest name wins", async (t) => {
  t.same(findCommand(COMMANDS, ["import", "compose", "x.yml"])?.command.name, ["import", "compose"]);
  t.same(findCommand(COMMANDS, ["import", "container.web", "abc"])?.command.name, ["import"]);
  t.equal(findCommand(COMMANDS, ["no-such-command"]), undefined);
});

t.test("-h asks for help only before the first positional argument", async (t) => {
  const { asksForHelp } = await import("../../src/cli/main.js");
  t.ok(asksForHelp(["-h"]));
  t.ok(asksForHelp(["--rm", "--help"]));
  t.notOk(asksForHelp(["web", "httpd", "-f", "-h", "/www"]), "a container command's -h is its own");
  t.notOk(asksForHelp(["--", "-h"]));
});
