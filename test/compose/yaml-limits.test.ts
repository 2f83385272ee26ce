// Compose input is bounded: an alias bomb ("billion laughs") fails fast with bounded memory, a huge
// file or a pipe is refused, while anchors and `<<: *default` merge keys of real files still work.
import t from "tap";
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadComposeProject } from "../../src/compose/load-compose.js";
import { MAX_ALIAS_VALUES } from "../../src/compose/parse-yaml-file.js";
import { MAX_COMPOSE_FILE_BYTES } from "../../src/compose/read-bounded.js";
import { runCli, tempDir } from "../cli/fixtures/run-cli.js";

/** Nine levels of nine aliases each: 9^9 (387 million) strings once expanded. */
function aliasBomb(): string {
  const lines = [`x-a: &a [${Array(9).fill('"lol"').join(", ")}]`];
  const names = "abcdefghi";
  for (let i = 1; i < names.length; i++) lines.push(`x-${names[i]}: &${names[i]} [${Array(9).fill(`*${names[i - 1]}`).join(", ")}]`);
  return `${lines.join("\n")}\nservices:\n  web:\n    image: busybox\n    command: *i\n`;
}

t.test("an alias bomb fails fast, with bounded memory, naming the file and the line", async (t) => {
  const dir = tempDir(t, "bomb");
  const file = join(dir, "compose.yaml");
  writeFileSync(file, aliasBomb());
  const rss0 = process.memoryUsage.rss();
  const started = Date.now();
  const { diagnostics } = await loadComposeProject({ files: [file], cwd: dir, env: {} });
  const took = Date.now() - started;
  const grownMb = (process.memoryUsage.rss() - rss0) / 1048576;
  t.ok(took < 5000, `failed after ${took} ms`);
  t.ok(grownMb < 200, `memory grew by ${Math.round(grownMb)} MB`);
  t.equal(diagnostics.length, 1);
  t.match(diagnostics[0], { code: "INFRA_COMPOSE_YAML_ALIASES", severity: "error", location: { file } });
  t.match(diagnostics[0]?.summary, `YAML aliases in ${file} expand to more than ${MAX_ALIAS_VALUES} values`);
  t.match(diagnostics[0]?.hint, "fewer levels of anchors");
});

t.test("the CLI refuses the bomb as a stack too (the project name is read with yaml's alias limit)", async (t) => {
  const dir = tempDir(t, "bomb-cli");
  writeFileSync(join(dir, "compose.yaml"), aliasBomb());
  const r = await runCli(["check"], { cwd: dir });
  t.equal(r.code, 1);
  t.match(r.stderr, /INFRA_COMPOSE_YAML_ALIASES/);
  t.match(r.stderr, join(dir, "compose.yaml"));
});

t.test("anchors, aliases and merge keys of a real file still work, across many services", async (t) => {
  const dir = tempDir(t, "anchors");
  const services = Array.from({ length: 200 }, (_, i) => `  s${i}:\n    <<: *default\n    image: busybox\n    environment:\n      <<: *env\n      N: "${i}"\n    labels: *labels`).join("\n");
  const file = join(dir, "compose.yaml");
  writeFileSync(file, `x-default: &default
  restart: unless-stopped
  logging:
    driver: json-file
    options: { max-size: 10m, max-file: "3" }
  command: [sh, -c, "sleep 1000"]
x-env: &env
  ${Array.from({ length: 40 }, (_, i) => `V${i}: "${i}"`).join("\n  ")}
x-labels: &labels { team: a, tier: web }
services:
${services}
`);
  const { project, diagnostics } = await loadComposeProject({ files: [file], cwd: dir, env: {} });
  t.same(diagnostics.filter((d) => d.severity === "error"), []);
  t.equal(Object.keys(project.services).length, 200);
  const s7 = project.services.s7;
  t.match(s7?.restart, { policy: "unless-stopped" }, "merged from <<: *default");
  t.same(s7?.command, ["sh", "-c", "sleep 1000"]);
  t.equal(s7?.environment.N, "7", "own keys win over merged ones");
  t.equal(s7?.environment.V39, "39");
  t.same(s7?.labels, { team: "a", tier: "web" }, "a plain alias");
});

t.test("a compose file larger than the bound, or a pipe, is refused with a clear error", async (t) => {
  const dir = tempDir(t, "large");
  const big = join(dir, "compose.yaml");
  writeFileSync(big, `services:\n  web:\n    image: busybox\n${"# padding\n".repeat(MAX_COMPOSE_FILE_BYTES / 10 + 1)}`);
  const r = await loadComposeProject({ files: [big], cwd: dir, env: {} });
  t.match(r.diagnostics, [{ code: "INFRA_COMPOSE_FILE_TOO_LARGE", summary: new RegExp(`${big} is larger than 4 MB`) }]);
  const fifo = join(dir, "pipe.yaml");
  execFileSync("mkfifo", [fifo]);
  const p = await loadComposeProject({ files: [fifo], cwd: dir, env: {} });
  t.match(p.diagnostics, [{ code: "INFRA_COMPOSE_FILE", summary: `cannot read ${fifo}: not a regular file` }], "no wait for a writer");
});
