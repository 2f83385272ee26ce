/**
 * Images that pull, through the real CLI and engine: a local docker-registry serves as the
 * `registry-mirrors` entry of the engine settings for docker.io names; `infra run` and `infra
 * apply` pull what is missing (`--pull` and compose `pull_policy`), and plan says what it will
 * pull. Docker Hub itself is out of reach here. Root only.
 */
import t from "tap";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { pushImage } from "../../src/providers/local-runtime/registry/push-image.js";
import { startRegistry } from "../registry/fixtures/registry-server.js";
import { newStore } from "../registry/fixtures/stores.js";
import { makeE2e } from "./e2e-harness.js";

if (process.getuid?.() !== 0) {
  t.plan(0, "needs root");
  process.exit(0);
}

const e = await makeE2e("pull");
t.teardown(() => e.cleanup());

const reg = await startRegistry(t, join(e.dir, "registry"));
const src = await newStore(join(e.dir, "src"));
await src.ensureBusybox();
const authFile = join(e.dir, "auth.json");
for (const tag of ["mirror", "mirror2", "mirror3"]) await pushImage(src, "busybox", `${reg.host}/library/busybox:${tag}`, { authFile });
const settings = join(e.dir, "engine.json");
await writeFile(settings, JSON.stringify({ "registry-mirrors": [`http://${reg.host}`] }));
e.env.INFRA_CONFIG = settings;

t.test("run pulls a missing image through the mirror, with progress on stderr", async (t) => {
  const first = await e.cli(["run", "--rm", "docker.io/library/busybox:mirror", "true"]);
  t.equal(first.code, 0, first.stderr);
  t.match(first.stderr, "Pulling docker.io/library/busybox:mirror...\n");
  t.match(first.stderr, /[0-9a-f]{12}  layer .* downloaded\n/, "a line per layer");
  t.match(first.stderr, /Status: pulled docker.io\/library\/busybox:mirror\n/);
  const images = await e.cli(["images"]);
  t.match(images.stdout, /docker\.io\/library\/busybox/, "stored under its docker.io name");

  const short = await e.cli(["run", "--rm", "busybox:mirror", "echo", "short"]);
  t.equal(short.code, 0, short.stderr);
  t.equal(short.stdout, "short\n");
  t.notMatch(short.stderr, "Pulling", "busybox:mirror is the docker.io image already stored: no pull");

  const always = await e.cli(["run", "--rm", "--pull", "always", "busybox:mirror", "true"]);
  t.equal(always.code, 0, always.stderr);
  t.match(always.stderr, "Pulling docker.io/library/busybox:mirror...\n", "--pull always asks the registry again");
  t.match(always.stderr, /layer .* already present\n/);

  const never = await e.cli(["run", "--rm", "--pull", "never", "busybox:mirror3", "true"]);
  t.not(never.code, 0);
  t.match(never.stderr, /image 'busybox:mirror3' is not in the local store/);
  t.notMatch(never.stderr, "Pulling");
  t.equal((await e.cli(["ps", "-a", "-q"])).stdout, "", "nothing created");

  const bad = await e.cli(["run", "--rm", "--pull", "sometimes", "busybox", "true"]);
  t.not(bad.code, 0);
  t.match(bad.stderr, /--pull takes missing, always or never, not "sometimes"/);
});

t.test("an image the mirror lacks: the error names the mirror and the origin", async (t) => {
  const r = await e.cli(["run", "--rm", "busybox:absent", "true"]);
  t.not(r.code, 0);
  t.match(r.stderr, `mirror ${reg.host}: `);
  t.match(r.stderr, "origin registry-1.docker.io: ");
  t.equal((await e.cli(["ps", "-a", "-q"])).stdout, "", "nothing created");
});

t.test("plan names the image it will pull; apply pulls it with progress", async (t) => {
  const stack = join(e.dir, "pullstack");
  await mkdir(stack, { recursive: true });
  await writeFile(join(stack, "docker-compose.yml"), "services:\n  app:\n    image: busybox:mirror2\n    command: [\"sleep\", \"3600\"]\n");
  const plan = await e.cli(["-C", stack, "plan"]);
  t.equal(plan.code, 0, plan.stderr);
  t.match(plan.stdout, "image docker.io/library/busybox:mirror2 will be pulled");
  const apply = await e.cli(["-C", stack, "apply", "--yes"]);
  t.equal(apply.code, 0, apply.stderr);
  t.match(apply.stdout + apply.stderr, /Pulling docker\.io\/library\/busybox:mirror2\.\.\./);
  const again = await e.cli(["-C", stack, "plan"]);
  t.notMatch(again.stdout, "will be pulled", "stored now: nothing to pull");
  const destroy = await e.cli(["-C", stack, "destroy", "--yes"]);
  t.equal(destroy.code, 0, destroy.stderr);
});
