// Each fixture's normalised model (and its warnings, with lines) against a reviewed golden file.
// Run with UPDATE_GOLDEN=1 to rewrite the goldens after an intended change.
import t from "tap";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadComposeProject } from "../../src/compose/load-compose.js";
import { FIXTURE_CASES, FIXTURES } from "./fixture-cases.js";

/** The normalised model itself, keys sorted (`compose config` prints it as a compose file instead). */
function modelJson(project: object): string {
  const sort = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sort);
    if (typeof v !== "object" || v === null) return v;
    return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sort((v as Record<string, unknown>)[k])]));
  };
  const { files: _f, working_dir: _w, ...model } = project as Record<string, unknown>;
  return JSON.stringify(sort(model));
}

for (const c of FIXTURE_CASES) {
  t.test(c.name, async (t) => {
    const { project, diagnostics } = await loadComposeProject({
      files: c.files, cwd: c.dir, env: c.env ?? {}, ...(c.profiles ? { profiles: c.profiles } : {}),
    });
    t.same(diagnostics.filter((d) => d.severity === "error"), [], "no errors");
    const rel = (s: string): string => s.split(c.dir).join("<dir>");
    const actual = {
      model: JSON.parse(rel(modelJson(project))) as unknown,
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
