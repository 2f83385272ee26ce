// Compose files as people write them plan without errors, through the same loader the CLI uses.
// Every warning names a key infra does not support yet, with its line; none is silent.
import t from "tap";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadComposeStack } from "../../src/compose/load-compose-stack.js";

const dir = join(dirname(fileURLToPath(import.meta.url)), "fixtures", "real-world");

t.test("the voting app", async (t) => {
  const r = await loadComposeStack({ files: [join(dir, "voting-app.yml")], projectName: "vote", env: {}, cwd: dir });
  const errors = r.diagnostics.filter((d) => d.severity === "error");
  t.same(errors, [], "no errors");
  const addrs = r.graph.resources.map((x) => x.address).sort();
  t.ok(addrs.includes("container.vote-1") && addrs.includes("container.worker-1") && addrs.includes("container.db-1"), "one container per service");
  t.notOk(addrs.includes("container.seed-1"), "the seed profile is off by default");
  t.ok(addrs.includes("network.front-tier") && addrs.includes("network.back-tier") && addrs.includes("volume.db-data"));
  t.ok(addrs.filter((a) => a.startsWith("image.")).length >= 3, "built services get an image resource each");
  const worker = r.graph.resources.find((x) => x.address === "container.worker-1")!;
  t.same(worker.dependencies.filter((d) => d.startsWith("container.")).sort(), ["container.db-1", "container.redis-1"], "depends_on is an edge");
  t.same((worker.props.waitFor as Array<{ condition: string }>).map((w) => w.condition), ["healthy", "healthy"]);
  for (const w of r.diagnostics) t.ok(w.location?.line, `warning ${w.code} has a line: ${w.summary}`);
});

t.test("WordPress with MariaDB", async (t) => {
  const r = await loadComposeStack({ files: [join(dir, "wordpress.yml")], projectName: "wp", env: {}, cwd: dir });
  t.same(r.diagnostics.filter((d) => d.severity === "error"), [], "no errors");
  const wp = r.graph.resources.find((x) => x.address === "container.wordpress-1")!;
  t.match(wp.props, { ports: [{ containerPort: 80, hostPort: 8000, protocol: "tcp" }], restart: { policy: "unless-stopped" } });
  t.match(wp.props.resources, { memory: 256 * 1024 * 1024, cpus: 0.5 }, "deploy limits");
  t.match(wp.props.logging, { maxSize: 10 * 1024 * 1024, maxFiles: 3 }, "json-file rotation options");
  t.match((wp.props.env as Record<string, string>).WORDPRESS_DB_PASSWORD, "wordpress", "interpolation default");
  const db = r.graph.resources.find((x) => x.address === "container.db-1")!;
  t.ok((db.props.mounts as Array<{ target: string; readOnly?: boolean }>).some((m) => m.target === "/run/secrets/db_root_password" && m.readOnly === true), "the secret is a read-only file");
  t.match(db.props.resources, { memory: 512 * 1024 * 1024 });
  for (const w of r.diagnostics) t.ok(w.location?.line, `warning ${w.code} has a line: ${w.summary}`);
});
