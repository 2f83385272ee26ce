/** The CLI commands load, save, image import and image export, run in-process on a temp store. */
import t from "tap";
import { PassThrough, Readable } from "node:stream";
import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import type { CommandIO } from "../../src/cli/command.js";
import { COMMANDS } from "../../src/cli/commands/index.js";
import { imageExportCommand } from "../../src/cli/commands/image-export.js";
import { imageImportCommand } from "../../src/cli/commands/image-import.js";
import { loadCommand } from "../../src/cli/commands/load.js";
import { saveCommand } from "../../src/cli/commands/save.js";
import { storeIn } from "./fixtures.js";

function io(env: NodeJS.ProcessEnv, cwd: string, input: Buffer = Buffer.alloc(0), tty = false) {
  const stdout = Object.assign(new PassThrough(), { isTTY: tty });
  const stderr = new PassThrough();
  const out: Buffer[] = [];
  let e = "";
  stdout.on("data", (b: Buffer) => out.push(b));
  stderr.on("data", (b: Buffer) => (e += b.toString()));
  const stdin = Object.assign(Readable.from([input]), { isTTY: tty });
  const cio: CommandIO = { stdout, stderr, stdin, env, cwd, color: false };
  return { io: cio, out: () => Buffer.concat(out), err: () => e };
}

t.test("registered under the names the issue asks for", async (t) => {
  const names = COMMANDS.map((c) => c.name.join(" "));
  for (const n of ["load", "save", "image import", "image export"]) t.ok(names.includes(n), n);
});

t.test("save to stdout, load from stdin; save -o, load -i; image export and import", async (t) => {
  const dir = t.testdir({});
  const env = { INFRA_ROOT: join(dir, "root"), INFRA_RUN: join(dir, "run") };
  const env2 = { INFRA_ROOT: join(dir, "root2"), INFRA_RUN: join(dir, "run2") };
  const bb = await (await storeIn(dir)).mustResolve("busybox");

  const save = io(env, dir);
  t.equal(await saveCommand.run(["busybox"], save.io), 0);
  const archive = save.out();
  t.ok(archive.length > 1024 * 1024, "the archive went to stdout");
  const load = io(env2, dir, archive);
  t.equal(await loadCommand.run([], load.io), 0);
  t.equal(load.out().toString(), `Loaded image: localhost/busybox:latest (${bb.digest.slice(0, 19)})\n`);

  const saveFile = io(env, dir);
  t.equal(await saveCommand.run(["-o", "bb.tar", "localhost/busybox:latest"], saveFile.io), 0);
  t.match(saveFile.err(), /^Saved 1 image \(2\.\d MB\) to bb\.tar as a docker archive\n$/);
  t.equal(saveFile.out().length, 0);
  t.ok((await readFile(join(dir, "bb.tar"))).equals(archive), "file and stdout hold the same bytes");
  const loadFile = io(env2, dir);
  t.equal(await loadCommand.run(["-q", "-i", "bb.tar", "--tag", "copy:1"], loadFile.io), 0);
  t.equal(loadFile.out().toString(), "localhost/copy:1\n");

  const exp = io(env, dir);
  t.equal(await imageExportCommand.run(["-o", "layout", "busybox"], exp.io), 0);
  t.match(exp.err(), /to layout as an OCI layout directory/);
  t.ok((await stat(join(dir, "layout/index.json"))).isFile());
  const imp = io(env2, dir);
  t.equal(await imageImportCommand.run(["layout", "--tag", "from-dir:2"], imp.io), 0);
  t.match(imp.out().toString(), /^Loaded image: localhost\/from-dir:2 \(sha256:/);
  const expTar = io(env, dir);
  t.equal(await imageExportCommand.run(["--format", "docker", "-o", "dock", "busybox"], expTar.io), 0);
  t.match(expTar.err(), /to dock as a docker archive/);
  t.ok((await stat(join(dir, "dock"))).isFile(), "docker format is always one tar");

  await t.rejects(saveCommand.run(["busybox"], io(env, dir, undefined, true).io), { code: "INFRA_CLI_ARGUMENT_MISSING" }, "no archive onto a terminal");
  await t.rejects(loadCommand.run([], io(env, dir, undefined, true).io), { code: "INFRA_CLI_ARGUMENT_MISSING" }, "no archive from a terminal");
  await t.rejects(saveCommand.run(["--format", "zip", "busybox"], io(env, dir).io), { code: "INFRA_CLI_FLAG_VALUE_INVALID" });
  await t.rejects(imageExportCommand.run(["busybox"], io(env, dir).io), { code: "INFRA_CLI_ARGUMENT_MISSING" });
  await t.rejects(imageImportCommand.run([], io(env, dir).io), { code: "INFRA_CLI_ARGUMENT_MISSING" });
  await t.rejects(imageImportCommand.run(["missing.tar"], io(env, dir).io), { code: "INFRA_IMAGE_ARCHIVE_NOT_FOUND" });
  await t.rejects(loadCommand.run([], io(env, dir, Buffer.from("garbage")).io), { code: "INFRA_IMAGE_ARCHIVE_MALFORMED" });
  await t.rejects(saveCommand.run(["-o", "s.tar", "scratch"], io(env, dir).io), { code: "INFRA_IMAGE_EXPORT_SCRATCH" });
});
