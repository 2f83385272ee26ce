// The two CLI commands of this area, run with captured streams.
import t from "tap";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { parse } from "yaml";
import type { CommandIO } from "../../src/cli/command.js";
import { composeConfigCommand } from "../../src/cli/commands/compose-config.js";
import { importComposeCommand } from "../../src/cli/commands/import-compose.js";

function io(cwd: string, env: Record<string, string> = {}): { io: CommandIO; out: () => string; err: () => string } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let o = "";
  let e = "";
  stdout.on("data", (c: Buffer) => (o += c.toString()));
  stderr.on("data", (c: Buffer) => (e += c.toString()));
  return { io: { stdout, stderr, stdin: new PassThrough(), env, cwd, color: false }, out: () => o, err: () => e };
}

const COMPOSE = "services:\n  web:\n    image: busybox\n    ports: [\"8080:80\"]\n    depends_on: [db]\n  db:\n    image: busybox\n";

t.test("compose config prints YAML, or JSON with --json", async (t) => {
  const dir = t.testdir({ "docker-compose.yml": COMPOSE });
  const a = io(dir);
  t.equal(await composeConfigCommand.run(["-p", "demo"], a.io), 0, "finds docker-compose.yml itself");
  const y = parse(a.out()) as { name?: string; services: Record<string, { ports: unknown[] }>; networks: Record<string, { name: string }> };
  t.equal(y.name, undefined, "no top-level name: docker-compose 1.x refuses it; -p names the resources");
  t.same(y.services.web?.ports, [{ protocol: "tcp", published: 8080, target: 80 }]);
  t.equal(y.networks.default?.name, "demo_default");
  t.equal(a.err(), "");
  const b = io(dir);
  t.equal(await composeConfigCommand.run(["-f", "docker-compose.yml", "--json"], b.io), 0);
  const j = JSON.parse(b.out()) as { networks: Record<string, { name: string }>; services: Record<string, { depends_on: unknown }> };
  t.equal(j.networks.default?.name, "test-compose-commandstestts-compose-config-prints-yaml-or-json-with---json_default", "the directory name, normalised");
  t.same(j.services.web?.depends_on, { db: { condition: "service_started" } });
});

t.test("compose config: errors go to stderr with file:line:col and exit 1", async (t) => {
  const dir = t.testdir({ "compose.yaml": "services:\n  web:\n    image: busybox\n    depends_on: [nope]\n" });
  const a = io(dir);
  t.equal(await composeConfigCommand.run([], a.io), 1);
  t.equal(a.out(), "", "nothing on stdout");
  t.match(a.err(), /INFRA_COMPOSE_UNKNOWN_SERVICE/);
  t.match(a.err(), new RegExp(`${join(dir, "compose.yaml")}:4:18`));
  t.match(a.err(), />\s+4 \|     depends_on: \[nope\]/, "a code frame");
});

t.test("compose config without a compose file", async (t) => {
  const dir = t.testdir({});
  await t.rejects(composeConfigCommand.run([], io(dir).io), { code: "INFRA_COMPOSE_FILE" });
});

t.test("import compose writes infra.ts and refuses to overwrite it", async (t) => {
  const dir = t.testdir({ "docker-compose.yml": COMPOSE });
  const a = io(dir);
  t.equal(await importComposeCommand.run(["docker-compose.yml", "-o", "infra.ts"], a.io), 0);
  const out = join(dir, "infra.ts");
  t.ok(existsSync(out));
  const text = readFileSync(out, "utf8");
  t.match(text, /const db = new Container\(stack, "db-1", \{/);
  t.match(text, /new Container\(stack, "web-1", \{[\s\S]*waitFor: \[\{ container: db, condition: "started" \}\],\n\s*\}\);/);
  t.match(a.out(), /Wrote .*infra\.ts \(3 resources\)/);
  await t.rejects(importComposeCommand.run(["docker-compose.yml", "-o", "infra.ts"], io(dir).io), { code: "INFRA_COMPOSE_OUTPUT_EXISTS" });
  t.equal(await importComposeCommand.run(["docker-compose.yml", "-o", "infra.ts", "--force"], io(dir).io), 0);
});

t.test("import compose of a broken file writes nothing", async (t) => {
  const dir = t.testdir({ "compose.yaml": "services:\n  web:\n    image: [\n" });
  const a = io(dir);
  t.equal(await importComposeCommand.run(["compose.yaml"], a.io), 1);
  t.match(a.err(), /INFRA_COMPOSE_YAML/);
  t.notOk(existsSync(join(dir, "infra.ts")));
});
