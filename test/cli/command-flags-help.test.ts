// `infra help run` (and create's) names every flag `run` accepts, long and short.
import t from "tap";
import { CONTAINER_FLAGS } from "../../src/cli/commands/container-flags.js";
import { runCommand } from "../../src/cli/commands/run.js";

t.test("run's usage lists every flag", async (t) => {
  for (const [name, spec] of Object.entries(CONTAINER_FLAGS)) {
    t.ok(runCommand.usage.includes(`--${name}`), `--${name}`);
    if (spec.short !== undefined) t.match(runCommand.usage, new RegExp(`-${spec.short}, --${name}\\b`), `-${spec.short}`);
  }
});
