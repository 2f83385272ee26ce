/**
 * compose's depends_on conditions on the real engine: a dependent of a service_healthy
 * dependency starts only once the dependency's check passed (~2 s after it started), one of a
 * service_completed_successfully job only after the job exited 0; a job that exits non-zero
 * fails the apply naming it, and its dependent is not left behind. Root only.
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import t from "tap";
import { inspected, makeE2e } from "./e2e-harness.js";

if (process.getuid?.() !== 0) {
  t.plan(0, "needs root");
  process.exit(0);
}

const e = await makeE2e("compose-depends-on");
t.teardown(() => e.cleanup());

interface Rec {
  id: string;
  state: string;
  startedAt?: string;
  finishedAt?: string;
  exitCode?: number;
  health?: { status: string; log: Array<{ start: string; end: string; exitCode: number }> };
}

// db turns healthy once /tmp/ready exists, about 2 s after it starts; SIGKILL stops keep destroy quick.
const COMPOSE = `
services:
  db:
    image: busybox
    command: ["sh", "-c", "sleep 2; touch /tmp/ready; exec sleep 3600"]
    stop_signal: SIGKILL
    healthcheck:
      test: ["CMD", "test", "-f", "/tmp/ready"]
      interval: 250ms
      retries: 40
  migrate:
    image: busybox
    command: ["sh", "-c", "sleep 1; exit 0"]
  web:
    image: busybox
    command: ["sleep", "3600"]
    stop_signal: SIGKILL
    depends_on:
      db:
        condition: service_healthy
      migrate:
        condition: service_completed_successfully
`;

const ms = (iso: string | undefined) => Date.parse(iso ?? "");

t.test("service_healthy and service_completed_successfully hold the dependent back", async (t) => {
  const file = join(e.dir, "compose.yaml");
  await writeFile(file, COMPOSE);
  const stack = ["-f", file, "-p", "dep"];
  const rec = async (svc: string) => inspected<Rec>(await e.cli(["inspect", "--json", `dep-${svc}-1`]));

  const plan = await e.cli(["plan", ...stack]);
  t.equal(plan.code, 0, plan.stderr);
  t.match(plan.stdout, /waitFor/, "the plan shows what web waits for");

  const apply = await e.cli(["apply", ...stack, "--yes"]);
  t.equal(apply.code, 0, apply.stderr);
  t.match(apply.stdout, /Apply complete! Resources: 4 added, 0 changed, 0 destroyed\./);

  const db = await rec("db");
  const migrate = await rec("migrate");
  const web = await rec("web");
  t.equal(db.health?.status, "healthy");
  const firstPass = db.health?.log.find((l) => l.exitCode === 0);
  t.ok(firstPass, "db's check passed once");
  t.comment(`db started ${db.startedAt}, first passing check ended ${firstPass?.end}, migrate finished ${migrate.finishedAt}, web started ${web.startedAt}`);
  t.ok(ms(web.startedAt) - ms(db.startedAt) >= 2000, `web started ${ms(web.startedAt) - ms(db.startedAt)} ms after db (≥ 2000: db's check passes only then)`);
  // The health log keeps the last few checks only: on a slow machine the first pass may be gone from it.
  const log = db.health?.log ?? [];
  if (log[0]?.exitCode !== 0) t.ok(ms(web.startedAt) >= ms(firstPass?.end), "web started after db's first passing check");
  else t.comment("the health log no longer holds db's failing checks: the 2000 ms bound above stands for it");
  t.equal(migrate.state, "exited");
  t.equal(migrate.exitCode, 0);
  t.ok(ms(web.startedAt) >= ms(migrate.finishedAt), "web started after migrate exited 0");
  t.equal(web.state, "running");

  const again = await e.cli(["plan", ...stack, "--detailed-exitcode"]);
  t.equal(again.code, 0, `no changes after apply:\n${again.stdout}${again.stderr}`);

  // A changed condition is an in-place update: the running container is left alone.
  await writeFile(file, COMPOSE.replace("condition: service_completed_successfully", "condition: service_started"));
  const change = await e.cli(["apply", ...stack, "--yes"]);
  t.equal(change.code, 0, change.stderr);
  t.match(change.stdout, /Apply complete! Resources: 0 added, 1 changed, 0 destroyed\./);
  const web2 = await rec("web");
  t.equal(web2.id, web.id, "same container");
  t.equal(web2.startedAt, web.startedAt, "not restarted");
  const after = await e.cli(["plan", ...stack, "--detailed-exitcode"]);
  t.equal(after.code, 0, `no changes after the update:\n${after.stdout}${after.stderr}`);

  const destroy = await e.cli(["destroy", ...stack, "--yes"]);
  t.equal(destroy.code, 0, destroy.stderr);
  t.equal((await e.cli(["ps", "-a", "-q"])).stdout, "", "no container");
});

t.test("a dependency that exits non-zero fails the apply, naming it; its dependent is not left", async (t) => {
  const file = join(e.dir, "failing.yaml");
  await writeFile(file, COMPOSE.replace("sleep 1; exit 0", "sleep 1; exit 3").replace(/  db:[\s\S]*?(?=  migrate:)/, "").replace(/      db:\n        condition: service_healthy\n/, ""));
  const stack = ["-f", file, "-p", "bad"];
  const apply = await e.cli(["apply", ...stack, "--yes"]);
  t.not(apply.code, 0, "apply fails");
  t.comment(apply.stderr.trim().split("\n").slice(0, 6).join("\n"));
  t.match(apply.stdout + apply.stderr, /INFRA_CONTAINER_WAIT_EXITED_NON_ZERO/);
  t.match(apply.stdout + apply.stderr, /container 'bad-migrate-1' exited with code 3 \(waited for: completed_successfully\)/);
  const ps = await e.cli(["ps", "-a"]);
  t.equal(ps.code, 0, ps.stderr);
  t.match(ps.stdout, "bad-migrate-1", "the job is there, exited");
  t.notMatch(ps.stdout, "bad-web-1", "web was not left created");

  const destroy = await e.cli(["destroy", ...stack, "--yes"]);
  t.equal(destroy.code, 0, destroy.stderr);
  t.equal((await e.cli(["ps", "-a", "-q"])).stdout, "", "no container");
  t.same(await e.leftovers(), [], "no runc state, netns, mount, conmon, bridge, veth, rule left");
});
