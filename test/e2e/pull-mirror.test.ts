/**
 * Images that pull, through the real CLI and engine: a local docker-registry serves as the
 * `registry-mirrors` entry of the engine settings for docker.io names; `infra run` and `infra
 * apply` pull what is missing (`--pull` and compose `pull_policy`), and plan says what it will
 * pull. Docker Hub itself is out of reach here. Root only.
 */
import t from "tap";
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { pushImage } from "../../src/providers/local-runtime/registry/push-image.js";
import { startRegistry } from "../registry/fixtures/registry-server.js";
import { newStore } from "../registry/fixtures/stores.js";
import { makeE2e } from "./e2e-harness.js";

if (process.getuid?.() !== 0) {
  t.plan(0, "needs root");
  process.exit(0);
}

const repo = fileURLToPath(new URL("../../", import.meta.url));
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

t.test("compose pull_policy: always pulls a stored image again; never refuses a missing one", async (t) => {
  const stack = join(e.dir, "policystack");
  await mkdir(stack, { recursive: true });
  await writeFile(join(stack, "docker-compose.yml"), "services:\n  app:\n    image: busybox:mirror\n    pull_policy: always\n    command: [\"sleep\", \"3600\"]\n");
  const plan = await e.cli(["-C", stack, "plan"]);
  t.equal(plan.code, 0, plan.stderr);
  t.match(plan.stdout, /# image\.app will be created\n\s+# \(image docker\.io\/library\/busybox:mirror will be pulled\)/, "the image resource pulls, though stored");
  const apply = await e.cli(["-C", stack, "apply", "--yes"]);
  t.equal(apply.code, 0, apply.stderr);
  t.match(apply.stdout, "image.app: Pulling docker.io/library/busybox:mirror...");
  t.equal((await e.cli(["-C", stack, "destroy", "--yes"])).code, 0);

  const never = join(e.dir, "neverstack");
  await mkdir(never, { recursive: true });
  await writeFile(join(never, "docker-compose.yml"), "services:\n  app:\n    image: busybox:mirror3\n    pull_policy: never\n    command: [\"sleep\", \"3600\"]\n");
  const np = await e.cli(["-C", never, "plan"]);
  t.notMatch(np.stdout, "will be pulled");
  const na = await e.cli(["-C", never, "apply", "--yes"]);
  t.not(na.code, 0);
  t.match(na.stdout + na.stderr, /image 'busybox:mirror3' is not in the local store/);
  t.equal((await e.cli(["ps", "-a", "-q"])).stdout, "", "no container");
  await e.cli(["-C", never, "destroy", "--yes"]);
});

t.test("the native launcher hands a run that must pull to the Node CLI, which shows the pull", async (t) => {
  const launcher = join(repo, "dist", "native", "infra");
  if (!existsSync(launcher)) return t.skip("the native launcher is not built");
  const r = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(join(repo, "bin", "infra"), ["run", "--rm", "busybox:mirror3", "echo", "native"], { env: e.env, timeout: 120_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }));
  });
  t.equal(r.code, 0, r.stderr);
  t.equal(r.stdout, "native\n");
  t.match(r.stderr, "Pulling docker.io/library/busybox:mirror3...\n");
  const again = await e.cli(["run", "--rm", "--pull", "never", "busybox:mirror3", "true"]);
  t.equal(again.code, 0, again.stderr);
});

t.test("a bad settings file: the engine does not start, and says which file and key", async (t) => {
  const pid = Number((await readFile(e.layout.enginePidFile, "utf8")).trim());
  process.kill(pid, "SIGTERM"); // the engine this test's CLI started
  for (let i = 0; i < 100 && existsSync(`/proc/${pid}`); i++) await new Promise((r) => setTimeout(r, 100));
  const bad = join(e.dir, "bad-engine.json");
  await writeFile(bad, JSON.stringify({ "registry-mirrors": ["mirror.example.com"] }));
  e.env.INFRA_CONFIG = bad;
  const r = await e.cli(["ps"]);
  e.env.INFRA_CONFIG = settings;
  t.not(r.code, 0);
  t.match(r.stderr, `engine settings ${bad}: "registry-mirrors" has "mirror.example.com": not a URL`);
  t.equal((await e.cli(["ps", "-a", "-q"])).code, 0, "with the good file it starts again");
});
