// Each fixture's normalised model (and its warnings, with lines) against a reviewed golden file.
// Run with UPDATE_GOLDEN=1 to rewrite the goldens after an intended change.
import t from "tap";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { renderComposeConfig } from "../../src/compose/compose-config.js";
import { loadComposeProject } from "../../src/compose/load-compose.js";
import { FIXTURE_CASES, FIXTURES } from "./fixture-cases.js";

for (const c of FIXTURE_CASES) {
  t.test(c.name, async (t) => {
    const { project, diagnostics } = await loadComposeProject({
      files: c.files, cwd: c.dir, env: c.env ?? {}, ...(c.profiles ? { profiles: c.profiles } : {}),
    });
    t.same(diagnostics.filter((d) => d.severity === "error"), [], "no errors");
    const rel = (s: string): string => s.split(c.dir).join("<dir>");
    const actual = {
      model: JSON.parse(rel(renderComposeConfig(project, "json"))) as unknown,
      warnings: diagnostics.map((d) => `${d.code} ${rel(d.location?.file ?? "")}:${d.location?.line ?? 0}:${d.location?.column ?? 0} ${d.summary}`),
    };
    const golden = join(FIXTURES, "golden", `${c.name}.json`);
    if (process.env.UPDATE_GOLDEN === "1" || !existsSync(golden)) {
      writeFileSync(golden, JSON.stringify(actual, null, 2) + "\n");
      t.comment(`wrote ${golden}`);
    }
    t.same(actual, JSON.parse(readFileSync(golden, "utf8")), `matches ${golden}`);
  });
}
