// `infra compose config` writes a compose file: for every compose fixture, its YAML and JSON
// outputs pass the Compose Specification's JSON schema (vendored in fixtures/compose-spec, see
// its README), use the specification's keys and units, and read back into the same model.
import t from "tap";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { formatDuration } from "../../src/compose/compose-document.js";
import { renderComposeConfig } from "../../src/compose/compose-config.js";
import type { ComposeProject } from "../../src/compose/compose-model.js";
import { loadComposeProject } from "../../src/compose/load-compose.js";
import { FIXTURE_CASES, FIXTURES, type FixtureCase } from "./fixture-cases.js";
import { SchemaChecker } from "./json-schema-check.js";

const schema = new SchemaChecker(JSON.parse(readFileSync(join(FIXTURES, "compose-spec", "compose-spec.json"), "utf8")) as Record<string, unknown>);

const CASES: FixtureCase[] = [
  ...FIXTURE_CASES,
  { name: "real-world voting app", dir: join(FIXTURES, "real-world"), files: ["voting-app.yml"] },
  { name: "real-world wordpress", dir: join(FIXTURES, "real-world"), files: ["wordpress.yml"] },
];

/**
 * Schema errors a fixture's output has because its input uses keys newer than the 2021 schema
 * (they are Compose keys today); listed exactly, so that any other error fails the test.
 */
const NEWER_THAN_SCHEMA: Record<string, string[]> = {
  "all-keys": [
    "services.app.depends_on.db.restart: is not a known key", // depends_on restart (Compose 2.17)
    "services.app.volumes[4].tmpfs.mode: is not a known key", // tmpfs mode (Compose 2.14)
  ],
};
/** JSON has no octal numbers: a file mode is the string "0440", which today's schema allows. */
const JSON_ONLY: Record<string, string[]> = {
  "all-keys": ["services.app.secrets[1].mode: is string, not number"],
};

function modelOf(p: ComposeProject): unknown {
  const { files: _f, working_dir: _w, ...rest } = p;
  return rest;
}

/** Every key path of a parsed document, for checks on the keys used. */
function keyPaths(v: unknown, path = ""): string[] {
  if (Array.isArray(v)) return v.flatMap((x, i) => keyPaths(x, `${path}[${i}]`));
  if (typeof v !== "object" || v === null) return [];
  return Object.entries(v).flatMap(([k, x]) => [`${path}${path ? "." : ""}${k}`, ...keyPaths(x, `${path}${path ? "." : ""}${k}`)]);
}

async function load(c: FixtureCase): Promise<ComposeProject> {
  const { project, diagnostics } = await loadComposeProject({ files: c.files, cwd: c.dir, env: c.env ?? {}, ...(c.profiles ? { profiles: c.profiles } : {}) });
  const errors = diagnostics.filter((d) => d.severity === "error");
  if (errors.length > 0) throw new Error(errors.map((d) => d.summary).join("\n"));
  return project;
}

for (const c of CASES) {
  t.test(c.name, async (t) => {
    const project = await load(c);
    const dir = t.testdir({});
    for (const format of ["yaml", "json"] as const) {
      const text = renderComposeConfig(project, format);
      // docker-compose 1.x reads YAML 1.1: the schema sees what it would see.
      const doc = (format === "json" ? JSON.parse(text) : parse(text, { version: "1.1" })) as Record<string, unknown>;
      const errors = schema.check(doc).map((e) => `${e.path}: ${e.message}`);
      const expected = [...(NEWER_THAN_SCHEMA[c.name] ?? []), ...(format === "json" ? (JSON_ONLY[c.name] ?? []) : [])];
      t.same(errors.sort(), expected.sort(), `${format}: the Compose Specification's schema accepts it`);

      const keys = keyPaths(doc);
      t.same(keys.filter((k) => /(_ms|_bytes)$|^services\.[^.]+\.(name|replicas|resources)$/.test(k)), [], `${format}: no internal keys`);
      const services = doc.services as Record<string, Record<string, unknown>>;
      for (const [name, s] of Object.entries(services)) {
        for (const k of ["environment", "ports", "volumes", "depends_on"]) {
          const v = s[k];
          if (v !== undefined) t.ok(Array.isArray(v) ? v.length > 0 : Object.keys(v as object).length > 0, `${format}: ${name}.${k} is not written empty`);
        }
        if (s.restart !== undefined) t.type(s.restart, "string", `${format}: ${name}.restart is a string`);
      }

      const out = join(dir, `out.${format === "json" ? "json" : "yaml"}`);
      writeFileSync(out, text);
      // The same invocation as the first read: project name and active profiles come from it.
      const back = await loadComposeProject({ files: [out], cwd: dir, env: {}, projectName: project.name, ...(c.profiles ? { profiles: c.profiles } : {}) });
      t.same(back.diagnostics.filter((d) => d.severity === "error"), [], `${format}: infra reads it back without errors`);
      t.same(modelOf(back.project), modelOf(project), `${format}: reading it back gives the same model`);
    }
  });
}

t.test("dollars stay escaped, units are the specification's", async (t) => {
  const dir = t.testdir({
    "compose.yaml": [
      "services:",
      "  app:",
      "    image: busybox",
      '    command: ["sh", "-c", "echo $$HOME and $${X:-y}"]',
      "    environment:",
      "      PRICE: $$5",
      "      FROM_ENV: ${SECRET}",
      "    labels: { note: \"costs $$1\" }",
      "    restart: on-failure:3",
      "    stop_grace_period: 90s",
      "    mem_limit: 1g",
      "    healthcheck: { test: \"curl -f http://x/\", interval: 1m30s, timeout: 1500ms, start_period: 1h }",
      "",
    ].join("\n"),
  });
  const { project } = await loadComposeProject({ files: ["compose.yaml"], cwd: dir, env: { SECRET: "pa$$word$" } });
  t.same(project.services.app?.environment, { PRICE: "$5", FROM_ENV: "pa$$word$" }, "the model holds the literal values");
  const y = parse(renderComposeConfig(project, "yaml"), { version: "1.1" }) as { services: { app: Record<string, unknown> } };
  const app = y.services.app;
  t.same(app.command, ["sh", "-c", "echo $$HOME and $${X:-y}"]);
  t.same(app.environment, { PRICE: "$$5", FROM_ENV: "pa$$$$word$$" }, "every $ of a value is doubled");
  t.same(app.labels, { note: "costs $$1" });
  t.equal(app.restart, "on-failure:3");
  t.equal(app.stop_grace_period, "1m30s");
  t.equal(app.mem_limit, "1073741824");
  t.same(app.healthcheck, { test: ["CMD-SHELL", "curl -f http://x/"], interval: "1m30s", timeout: "1s500ms", start_period: "1h" });
  t.notOk("name" in app, "no name inside the service");
  t.notOk("ports" in app || "volumes" in app || "depends_on" in app, "no empty keys added");
  t.notOk("name" in y, "no top-level name (docker-compose 1.x refuses it)");
});

t.test("restart: no is written as a string YAML 1.1 cannot read as false", async (t) => {
  const dir = t.testdir({ "compose.yaml": 'services:\n  a:\n    image: busybox\n    restart: "no"\n    environment: { FLAG: "on", MODE: "0755", TIME: "22:22" }\n' });
  const { project } = await loadComposeProject({ files: ["compose.yaml"], cwd: dir, env: {} });
  const text = renderComposeConfig(project, "yaml");
  const y = parse(text, { version: "1.1" }) as { services: { a: Record<string, unknown> } };
  t.equal(y.services.a.restart, "no");
  t.same(y.services.a.environment, { FLAG: "on", MODE: "0755", TIME: "22:22" }, "strings a YAML 1.1 reader would turn into booleans or numbers stay strings");
});

t.test("formatDuration writes Go durations", async (t) => {
  t.equal(formatDuration(0), "0s");
  t.equal(formatDuration(500), "500ms");
  t.equal(formatDuration(30_000), "30s");
  t.equal(formatDuration(90_000), "1m30s");
  t.equal(formatDuration(3_600_000), "1h");
  t.equal(formatDuration(3_661_001), "1h1m1s1ms");
});
