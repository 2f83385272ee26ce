// Every kind of bad input gives an error diagnostic naming the file, the line and the column.
import t from "tap";
import { join } from "node:path";
import { loadComposeProject } from "../../src/compose/load-compose.js";

interface Case {
  name: string;
  yaml: string;
  code: string;
  line: number;
  column?: number;
  summary: RegExp;
  env?: Record<string, string>;
}

const cases: Case[] = [
  { name: "YAML syntax", yaml: "services:\n  web:\n    image: [busybox\n", code: "INFRA_COMPOSE_YAML", line: 4, summary: /invalid YAML/ },
  { name: "YAML bad indentation", yaml: "services:\n  web:\n    image: busybox\n   command: x\n", code: "INFRA_COMPOSE_YAML", line: 4, summary: /All mapping items must start at the same column/ },
  { name: "duplicate key", yaml: "services:\n  web:\n    image: a\n    image: b\n", code: "INFRA_COMPOSE_YAML", line: 4, column: 5, summary: /unique/ },
  { name: "unknown key", yaml: "services:\n  web:\n    image: busybox\n    imagee: x\n", code: "INFRA_COMPOSE_SCHEMA", line: 4, column: 5, summary: /services\.web\.imagee: unknown key/ },
  { name: "ports not a list", yaml: "services:\n  web:\n    image: busybox\n    ports: 80\n", code: "INFRA_COMPOSE_SCHEMA", line: 4, column: 5, summary: /services\.web\.ports: must be a list/ },
  { name: "bad port", yaml: "services:\n  web:\n    image: busybox\n    ports:\n      - \"80\"\n      - \"8080:http\"\n", code: "INFRA_COMPOSE_SCHEMA", line: 6, column: 9, summary: /ports\[1\]: container port "http"/ },
  { name: "bad duration", yaml: "services:\n  web:\n    image: busybox\n    healthcheck:\n      test: \"true\"\n      interval: soon\n", code: "INFRA_COMPOSE_SCHEMA", line: 6, column: 7, summary: /healthcheck\.interval: must be a duration/ },
  { name: "bad size", yaml: "services:\n  web:\n    image: busybox\n    mem_limit: lots\n", code: "INFRA_COMPOSE_SCHEMA", line: 4, column: 5, summary: /mem_limit: must be a size/ },
  { name: "no image nor build", yaml: "services:\n  web:\n    command: x\n", code: "INFRA_COMPOSE_SCHEMA", line: 2, column: 3, summary: /neither image nor build/ },
  { name: "bad network_mode", yaml: "services:\n  web:\n    image: busybox\n    network_mode: weird\n", code: "INFRA_COMPOSE_SCHEMA", line: 4, summary: /network_mode: must be/ },
  { name: "unsupported version", yaml: "version: \"1\"\nservices: {}\n", code: "INFRA_COMPOSE_SCHEMA", line: 1, column: 1, summary: /version "1" is not supported/ },
  { name: "depends_on unknown service", yaml: "services:\n  web:\n    image: busybox\n    depends_on:\n      - db\n", code: "INFRA_COMPOSE_UNKNOWN_SERVICE", line: 5, column: 9, summary: /depends on undefined service "db"/ },
  { name: "depends_on map unknown", yaml: "services:\n  web:\n    image: busybox\n    depends_on:\n      db:\n        condition: service_healthy\n", code: "INFRA_COMPOSE_UNKNOWN_SERVICE", line: 5, column: 7, summary: /undefined service "db"/ },
  { name: "links unknown service", yaml: "services:\n  web:\n    image: busybox\n    links: [\"db:database\"]\n", code: "INFRA_COMPOSE_UNKNOWN_SERVICE", line: 4, column: 5, summary: /links to undefined service "db"/ },
  { name: "network_mode unknown service", yaml: "services:\n  web:\n    image: busybox\n    network_mode: service:vpn\n", code: "INFRA_COMPOSE_UNKNOWN_SERVICE", line: 4, column: 5, summary: /network of undefined service "vpn"/ },
  { name: "volumes_from unknown service", yaml: "services:\n  web:\n    image: busybox\n    volumes_from:\n      - data\n", code: "INFRA_COMPOSE_UNKNOWN_SERVICE", line: 5, column: 9, summary: /volumes from undefined service "data"/ },
  { name: "unknown network", yaml: "services:\n  web:\n    image: busybox\n    networks: [front]\n", code: "INFRA_COMPOSE_UNKNOWN_NETWORK", line: 4, column: 16, summary: /undefined network "front"/ },
  { name: "unknown volume", yaml: "services:\n  web:\n    image: busybox\n    volumes:\n      - data:/data\n", code: "INFRA_COMPOSE_UNKNOWN_VOLUME", line: 5, column: 9, summary: /undefined volume "data"/ },
  { name: "unknown secret", yaml: "services:\n  web:\n    image: busybox\n    secrets: [pw]\n", code: "INFRA_COMPOSE_UNKNOWN_SECRET", line: 4, column: 15, summary: /undefined secret "pw"/ },
  {
    name: "dependency cycle",
    yaml: "services:\n  a:\n    image: busybox\n    depends_on: [b]\n  b:\n    image: busybox\n    links: [c]\n  c:\n    image: busybox\n    network_mode: service:a\n",
    code: "INFRA_COMPOSE_CYCLE", line: 2, column: 3, summary: /cycle between services: a -> b -> c -> a/,
  },
  { name: "required variable", yaml: "services:\n  web:\n    image: busybox\n    environment:\n      TOKEN: ${TOKEN:?set the API token}\n", code: "INFRA_COMPOSE_INTERPOLATION", line: 5, column: 7, summary: /required variable TOKEN is missing a value: set the API token/ },
  { name: "required variable (set but empty)", yaml: "services:\n  web:\n    image: \"${IMG:?}\"\n", code: "INFRA_COMPOSE_INTERPOLATION", line: 3, column: 5, summary: /required variable IMG/, env: { IMG: "" } },
  { name: "bad interpolation", yaml: "services:\n  web:\n    image: busybox\n    command: echo ${1BAD}\n", code: "INFRA_COMPOSE_INTERPOLATION", line: 4, column: 5, summary: /invalid interpolation format/ },
  { name: "missing env_file", yaml: "services:\n  web:\n    image: busybox\n    env_file: nothere.env\n", code: "INFRA_COMPOSE_FILE", line: 4, column: 5, summary: /cannot read .*nothere\.env/ },
  { name: "extends unknown service", yaml: "services:\n  web:\n    extends: base\n", code: "INFRA_COMPOSE_UNKNOWN_SERVICE", line: 3, column: 5, summary: /extends undefined service "base"/ },
  { name: "extends cycle", yaml: "services:\n  a:\n    extends: b\n  b:\n    extends: a\n", code: "INFRA_COMPOSE_CYCLE", line: 5, column: 5, summary: /extends cycle/ },
  { name: "dependency disabled by profile", yaml: "services:\n  web:\n    image: busybox\n    depends_on: [dbg]\n  dbg:\n    image: busybox\n    profiles: [debug]\n", code: "INFRA_COMPOSE_PROFILE", line: 4, column: 18, summary: /depends on "dbg", which no active profile enables/ },
  { name: "container_name with replicas", yaml: "services:\n  web:\n    image: busybox\n    container_name: w\n    scale: 2\n", code: "INFRA_COMPOSE_SCHEMA", line: 2, column: 3, summary: /cannot be used with 2 replicas/ },
];

for (const c of cases) {
  t.test(c.name, async (t) => {
    const dir = t.testdir({ "compose.yaml": c.yaml });
    const file = join(dir, "compose.yaml");
    const { diagnostics } = await loadComposeProject({ files: ["compose.yaml"], cwd: dir, env: c.env ?? {} });
    const errors = diagnostics.filter((d) => d.severity === "error");
    const hit = errors.find((d) => d.code === c.code);
    t.ok(hit, `an error ${c.code} (got ${errors.map((d) => `${d.code}: ${d.summary}`).join("; ") || "none"})`);
    if (!hit) return;
    t.match(hit.summary, c.summary, "summary");
    t.equal(hit.location?.file, file, "names the file");
    t.equal(hit.location?.line, c.line, "names the line");
    if (c.column !== undefined) t.equal(hit.location?.column, c.column, "names the column");
  });
}

t.test("a missing compose file is an error naming it", async (t) => {
  const dir = t.testdir({});
  const { diagnostics } = await loadComposeProject({ files: ["nope.yml"], cwd: dir, env: {} });
  t.match(diagnostics, [{ code: "INFRA_COMPOSE_FILE", severity: "error", summary: /nope\.yml: no such file/ }]);
});

t.test("all problems are reported at once", async (t) => {
  const dir = t.testdir({ "compose.yaml": "services:\n  a:\n    image: busybox\n    ports: 1\n    bogus: 2\n  b:\n    mem_limit: x\n" });
  const { diagnostics } = await loadComposeProject({ files: ["compose.yaml"], cwd: dir, env: {} });
  t.same(diagnostics.filter((d) => d.severity === "error").map((d) => d.location?.line).sort(), [4, 5, 6, 7]);
});
