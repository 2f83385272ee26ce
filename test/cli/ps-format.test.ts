// `ps --format` (Go-template fields as Docker names them, table, json) and `--filter` (Docker's AND/OR), pure.
import t from "tap";
import type { ContainerRecord } from "../../src/providers/local-runtime/container/container-record.js";
import { filterContainers, parseContainerFilters } from "../../src/cli/commands/container-filter.js";
import { psRow, renderPs } from "../../src/cli/commands/ps-format.js";
import { goString, parseTemplate, renderTemplate } from "../../src/cli/go-template.js";

const rec = (name: string, o: Partial<ContainerRecord> & { labels?: Record<string, string>; networks?: string[]; image?: string } = {}): ContainerRecord => ({
  id: `${name.padEnd(8, "0")}`.replace(/[^0-9a-f]/g, "a") + "0".repeat(56), name, imageId: "sha256:beef" + "0".repeat(60), createdAt: "2026-12-08T01:02:03.000Z", state: "running",
  restartCount: 0, manuallyStopped: false, cgroupsPath: "x", anonymousVolumes: [], mounts: [],
  spec: { name, image: o.image ?? "busybox", command: ["sleep", "30"], ...(o.labels ? { labels: o.labels } : {}), ...(o.networks ? { networks: o.networks.map((network) => ({ network })) } : {}) },
  ...o,
});

const web = rec("web", { labels: { tier: "front", app: "shop" }, networks: ["appnet"] });
const db = rec("db", { labels: { tier: "back", app: "shop" }, state: "exited", exitCode: 3, image: "localhost/pg:15" });
const job = rec("job1", { labels: { once: "" } });

t.test("fields, table, json", async (t) => {
  const rows = [web, db].map((r) => psRow(r, r.state === "running" ? "Up 1 second" : "Exited (3)", false, Date.parse("2026-12-08T01:02:13Z")));
  t.equal(renderPs("{{.ID}} {{.Names}} {{.Image}} {{.Status}}", rows), `${web.id.slice(0, 12)} web busybox Up 1 second\n${db.id.slice(0, 12)} db localhost/pg:15 Exited (3)\n`);
  t.equal(renderPs('{{.Names}}:{{.Label "tier"}}:{{.Labels}}:{{.Command}}:{{.CreatedAt}}:{{.RunningFor}}:{{.Networks}}', rows.slice(0, 1)), 'web:front:tier=front,app=shop:"sleep 30":2026-12-08 01:02:03 +0000 UTC:10 seconds ago:appnet\n');
  t.equal(renderPs("table {{.Names}}\\t{{.Status}}", rows), "NAMES   STATUS\nweb     Up 1 second\ndb      Exited (3)\n", "table: a header, \\t as a tab, columns aligned");
  t.equal(renderPs('table {{.Label "app"}}\\t{{.ID}}', rows.slice(1)), `LABEL   CONTAINER ID\nshop    ${db.id.slice(0, 12)}\n`);
  const json = renderPs("json", rows).trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
  t.match(json[0], { ID: web.id.slice(0, 12), Names: "web", Image: "busybox", State: "running", Labels: "tier=front,app=shop" });
  t.equal(renderPs("{{json .}}", rows.slice(0, 1)), renderPs("json", rows.slice(0, 1)));
  t.equal(renderPs("{{json .Names}}", rows.slice(0, 1)), '"web"\n');
  t.throws(() => renderPs("{{.Nope}}", rows), { code: "INFRA_CLI_BAD_FORMAT" }, "an unknown field is an error, as Docker's");
  t.throws(() => parseTemplate("{{.ID", "ps"), { code: "INFRA_CLI_BAD_FORMAT" });
});

t.test("Go's printing of values; index", async (t) => {
  t.equal(goString({ b: 1, a: "x" }), "map[a:x b:1]");
  t.equal(goString(["a", 2]), "[a 2]");
  t.equal(goString(undefined), "<no value>");
  const v = { State: { Running: true, ExitCode: 0 }, Config: { Labels: { "com.x": "y" } } };
  t.equal(renderTemplate(parseTemplate('{{.State.Running}} {{.State.ExitCode}} {{index .Config.Labels "com.x"}} {{.Config.Nope}}', "inspect"), v, "inspect"), "true 0 y <no value>");
  t.equal(renderTemplate(parseTemplate("{{json .State}}", "inspect"), v, "inspect"), '{"Running":true,"ExitCode":0}');
});

t.test("filters: AND across keys, OR within a key", async (t) => {
  const all = [web, db, job];
  const names = (f: string[]) => filterContainers(all, parseContainerFilters(f, "ps")).map((r) => r.name);
  t.same(names(["label=app=shop"]), ["web", "db"]);
  t.same(names(["label=once"]), ["job1"], "label KEY: present with any value");
  t.same(names(["label=app=shop", "label=tier=back"]), ["db"], "two labels: both");
  t.same(names(["name=we", "name=db"]), ["web", "db"], "names: either");
  t.same(names(["label=app=shop", "status=running"]), ["web"], "keys: all");
  t.same(names(["status=exited"]), ["db"]);
  t.same(names(["exited=3"]), ["db"]);
  t.same(names(["network=appnet"]), ["web"]);
  t.same(names(["network=bridge"]), ["db", "job1"]);
  t.same(names(["ancestor=busybox:latest"]), ["web", "job1"]);
  t.same(names(["ancestor=pg:15"]), ["db"]);
  t.same(names(["ancestor=beef"]), ["web", "db", "job1"], "an image id prefix");
  t.same(names([`id=${db.id.slice(0, 6)}`]), ["db"]);
  t.throws(() => parseContainerFilters(["colour=red"], "ps"), { code: "INFRA_CLI_BAD_FILTER" });
  t.throws(() => parseContainerFilters(["status=sleepy"], "ps"), { code: "INFRA_CLI_BAD_FILTER" });
});
