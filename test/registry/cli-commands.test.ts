/** The CLI commands pull, push, tag, login and logout, run in-process against a real registry. */
import t from "tap";
import { PassThrough, Readable } from "node:stream";
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import type { CommandIO } from "../../src/cli/command.js";
import { loginCommand } from "../../src/cli/commands/login.js";
import { logoutCommand } from "../../src/cli/commands/logout.js";
import { pullCommand, renderBlobProgress } from "../../src/cli/commands/pull.js";
import { pushCommand } from "../../src/cli/commands/push.js";
import { tagCommand } from "../../src/cli/commands/tag.js";
import { startRegistry } from "./fixtures/registry-server.js";

const USER = { name: "bob", password: "hunter2" };

function io(env: NodeJS.ProcessEnv, input = ""): { io: CommandIO; out: () => string; err: () => string } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let o = "";
  let e = "";
  stdout.on("data", (b: Buffer) => (o += b.toString()));
  stderr.on("data", (b: Buffer) => (e += b.toString()));
  return { io: { stdout, stderr, stdin: Readable.from([input]), env, cwd: "/", color: false }, out: () => o, err: () => e };
}

t.test("login, tag, push, pull, logout", async (t) => {
  const dir = t.testdir({});
  const reg = await startRegistry(t, join(dir, "registry"), { user: USER });
  const env = { INFRA_ROOT: join(dir, "root"), INFRA_RUN: join(dir, "run"), HOME: dir };
  const env2 = { INFRA_ROOT: join(dir, "root2"), INFRA_RUN: join(dir, "run2"), HOME: dir, INFRA_AUTH_FILE: join(dir, "root", "auth.json") };

  const tag = io(env);
  t.equal(await tagCommand.run(["busybox", `${reg.host}/tools/bb:1.0`], tag.io), 0);
  t.equal(tag.out(), `${reg.host}/tools/bb:1.0\n`);

  await t.rejects(pushCommand.run([`${reg.host}/tools/bb:1.0`], io(env).io), { code: "INFRA_REGISTRY_UNAUTHORIZED", hint: `run \`infra login ${reg.host}\`` });

  await t.rejects(loginCommand.run(["-u", USER.name, "--password-stdin", reg.host], io(env, "wrong\n").io), { code: "INFRA_REGISTRY_UNAUTHORIZED" });
  t.equal(existsSync(join(env.INFRA_ROOT, "auth.json")), false, "a refused login stores nothing");
  await t.rejects(loginCommand.run([reg.host], io(env).io), { code: "INFRA_CLI_ARGUMENT_MISSING" });
  const login = io(env, `${USER.password}\n`);
  t.equal(await loginCommand.run(["-u", USER.name, "--password-stdin", `http://${reg.host}/`], login.io), 0);
  t.match(login.out(), `Login succeeded: bob at ${reg.host}`);
  t.equal(statSync(join(env.INFRA_ROOT, "auth.json")).mode & 0o777, 0o600);

  const push = io(env);
  t.equal(await pushCommand.run([`${reg.host}/tools/bb:1.0`], push.io), 0);
  t.match(push.out(), new RegExp(`^${reg.host}/tools/bb:1.0: digest: sha256:[0-9a-f]{64}\\n$`));
  t.match(push.err(), /config .* uploaded\n/);
  t.match(push.err(), /Uploaded 2 .*, mounted 0, already there 0/);

  const pull = io(env2);
  t.equal(await pullCommand.run([`${reg.host}/tools/bb:1.0`], pull.io), 0);
  t.equal(pull.out(), `${reg.host}/tools/bb:1.0\n`);
  t.match(pull.err(), /layer .* downloaded\n/);
  const again = io(env2);
  t.equal(await pullCommand.run(["-q", `${reg.host}/tools/bb:1.0`], again.io), 0);
  t.equal(again.err(), "", "quiet");

  // A short name is Docker Hub's (docker.io/library/busybox), out of reach here.
  await t.rejects(pullCommand.run(["busybox"], io(env2).io), { code: "INFRA_REGISTRY_UNREACHABLE", message: /registry-1\.docker\.io/ });
  await t.rejects(pullCommand.run(["--platform", "linux", `${reg.host}/tools/bb:1.0`], io(env2).io), { code: "INFRA_CLI_FLAG_VALUE_INVALID" });
  await t.rejects(tagCommand.run(["scratch", "localhost/x:1"], io(env).io), { code: "INFRA_IMAGE_TAG_SCRATCH" });

  const logout = io(env);
  t.equal(await logoutCommand.run([reg.host], logout.io), 0);
  t.equal(logout.out(), `Removed the credentials of ${reg.host}\n`);
  const twice = io(env);
  t.equal(await logoutCommand.run([reg.host], twice.io), 0);
  t.equal(twice.out(), `Not logged in to ${reg.host}\n`);
  await t.rejects(pullCommand.run([`${reg.host}/tools/bb:1.0`], io(env).io), { code: "INFRA_REGISTRY_UNAUTHORIZED" });
});

t.test("progress lines", async (t) => {
  const d = `sha256:${"3f2a9c1b7d4e".padEnd(64, "0")}`;
  t.equal(renderBlobProgress({ digest: d, size: 2_200_000, kind: "layer" }), undefined, "start events print nothing");
  t.equal(renderBlobProgress({ digest: d, size: 2_200_000, kind: "layer", action: "downloaded" }), "3f2a9c1b7d4e  layer      2.1 MB  downloaded\n");
  t.equal(renderBlobProgress({ digest: d, size: 512, kind: "config", action: "mounted", from: "team/app" }), "3f2a9c1b7d4e  config      512 B  mounted from team/app\n");
});
