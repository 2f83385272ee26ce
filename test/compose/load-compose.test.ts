// Loading behaviour beyond the goldens: merge rules, extends, profiles, .env and project names.
import t from "tap";
import { join } from "node:path";
import { loadComposeProject } from "../../src/compose/load-compose.js";
import { FIXTURES } from "./fixture-cases.js";

t.test("two files merge as compose merges them", async (t) => {
  const dir = join(FIXTURES, "merge");
  const { project, diagnostics } = await loadComposeProject({ files: ["compose.yaml", "compose.override.yaml"], cwd: dir, env: {} });
  t.same(diagnostics, []);
  const web = project.services.web;
  t.same(web?.command, ["httpd", "-f", "-v"], "command replaced, not appended");
  t.same(web?.ports.map((p) => `${p.published}:${p.target}`), ["8080:80", "9090:90", "8443:443"], "ports merged by their key");
  t.same(web?.volumes.map((v) => `${v.source}:${v.target}:${v.read_only ? "ro" : "rw"}`), [`${dir}/site-dev:/www:ro`, "logs:/var/log:rw"], "volumes merged by target");
  t.same(web?.environment, { A: "base", B: "override", C: "override" }, "mappings merged");
  t.same(web?.dns, ["1.1.1.1", "8.8.8.8"], "other sequences appended");
  t.ok(project.services.extra, "a service only in the override is added");
  const reversed = await loadComposeProject({ files: ["compose.override.yaml", "compose.yaml"], cwd: dir, env: {} });
  t.same(reversed.project.services.web?.command, ["httpd", "-f"], "the later file wins");
});

t.test("extends, in the same file and in another file", async (t) => {
  const dir = join(FIXTURES, "extends");
  const { project, diagnostics } = await loadComposeProject({ files: ["compose.yaml"], cwd: dir, env: {} });
  t.same(diagnostics, []);
  t.same(project.services.child?.environment, { LEVEL: "child" });
  t.same(project.services.child?.labels, { from: "base" }, "inherits what it does not set");
  t.equal(project.services.remote?.image, "busybox");
  t.equal(project.services.remote?.volumes[0]?.source, join(dir, "base/data"), "relative paths of the other file resolve against its directory");
});

t.test("profiles", async (t) => {
  const dir = join(FIXTURES, "profiles");
  const names = async (o: { profiles?: string[]; env?: Record<string, string> }): Promise<string[]> =>
    Object.keys((await loadComposeProject({ files: ["compose.yaml"], cwd: dir, env: o.env ?? {}, ...(o.profiles ? { profiles: o.profiles } : {}) })).project.services).sort();
  t.same(await names({}), ["app"], "services with profiles are off by default");
  t.same(await names({ profiles: ["tools"] }), ["app", "tools"]);
  t.same(await names({ profiles: ["debug"] }), ["app", "debug", "tools"]);
  t.same(await names({ env: { COMPOSE_PROFILES: "tools, debug" } }), ["app", "debug", "tools"], "COMPOSE_PROFILES");
  t.same(await names({ profiles: ["*"] }), ["app", "debug", "tools"]);
});

t.test(".env beside the first file, the shell winning, and project names", async (t) => {
  const dir = t.testdir({
    "Shop App": {
      "compose.yaml": "services:\n  web:\n    image: busybox:${TAG}\n    environment:\n      - FROM_DOTENV\n      - GREETING=${GREETING:-hi}\n",
      ".env": "TAG=1.36\nFROM_DOTENV=dotenv\nGREETING=hello ${TAG}\n",
    },
  });
  const cwd = join(dir, "Shop App");
  let r = await loadComposeProject({ files: ["compose.yaml"], cwd, env: {} });
  t.same(r.diagnostics, []);
  t.equal(r.project.name, "shopapp", "the directory name, normalised");
  t.equal(r.project.services.web?.image, "busybox:1.36");
  t.same(r.project.services.web?.environment, { FROM_DOTENV: "dotenv", GREETING: "hello 1.36" });
  r = await loadComposeProject({ files: ["compose.yaml"], cwd, env: { TAG: "shell", COMPOSE_PROJECT_NAME: "FromEnv" } });
  t.equal(r.project.services.web?.image, "busybox:shell", "the shell wins over .env");
  t.equal(r.project.name, "fromenv", "COMPOSE_PROJECT_NAME");
  r = await loadComposeProject({ files: ["compose.yaml"], cwd, env: { COMPOSE_PROJECT_NAME: "fromenv" }, projectName: "Flag" });
  t.equal(r.project.name, "flag", "-p wins");
  t.equal(r.project.networks.default?.name, "flag_default");
});

t.test("name: in the file, YAML anchors and merge keys", async (t) => {
  const dir = t.testdir({
    "compose.yaml": "name: Named\nx-base: &base\n  image: busybox\n  restart: always\nservices:\n  a:\n    <<: *base\n    command: [\"true\"]\n  b:\n    <<: *base\n    restart: \"no\"\n",
  });
  const { project, diagnostics } = await loadComposeProject({ files: ["compose.yaml"], cwd: dir, env: {} });
  t.same(diagnostics, []);
  t.equal(project.name, "named");
  t.same(project.services.a?.restart, { policy: "always" });
  t.same(project.services.b?.restart, { policy: "no" }, "a key beside the merge key wins");
  t.equal(project.services.b?.image, "busybox");
});

t.test("an unsupported key is a warning naming its path and line, never silent", async (t) => {
  const dir = t.testdir({ "compose.yaml": "services:\n  a:\n    image: busybox\n    ipc: host\n    deploy:\n      placement:\n        constraints: []\n" });
  const { diagnostics } = await loadComposeProject({ files: ["compose.yaml"], cwd: dir, env: {} });
  t.match(diagnostics, [
    { severity: "warning", code: "INFRA_COMPOSE_UNSUPPORTED", summary: /^services\.a\.ipc:/, location: { line: 4, column: 5 } },
    { severity: "warning", code: "INFRA_COMPOSE_UNSUPPORTED", summary: /^services\.a\.deploy\.placement:/, location: { line: 6, column: 7 } },
  ]);
  t.equal(diagnostics.length, 2);
});
