// The CLI layer's handler for the argv form of POST /run: parsing as `infra run` parses, against the
// client's cwd and environment; errors rendered as the Node CLI renders them.
import t from "tap";
import { PassThrough } from "node:stream";
import { ProviderError } from "../../src/providers/contract.js";
import { parseRunArgv, renderRunError, runArgvHandler } from "../../src/cli/run-argv.js";
import { reportRunFailure } from "../../src/cli/run-failure.js";
import type { CommandIO } from "../../src/cli/command.js";

const req = (argv: string[], env: Record<string, string> = {}, cwd = "/client/dir") => ({ argv, cwd, env });

t.test("a command line becomes the run request; rm and detach as given", async (t) => {
  const r = parseRunArgv(req(["--rm", "--name", "web", "busybox", "sh", "-c", "echo hi"]));
  t.ok("run" in r);
  if (!("run" in r)) return;
  t.same(r.run, { spec: { name: "web", image: "busybox", command: ["sh", "-c", "echo hi"] }, rm: true, detach: false });
  const d = parseRunArgv(req(["-d", "busybox", "true"]));
  t.ok("run" in d && d.run.detach === true && d.run.rm === false && /^infra_[0-9a-f]{8}$/.test(d.run.spec.name), JSON.stringify(d));
  // The image's flags stay the container's: `-h` after the image is not a help request.
  const h = parseRunArgv(req(["busybox", "ls", "-h", "--help"]));
  t.ok("run" in h && JSON.stringify(h.run.spec.command) === JSON.stringify(["ls", "-h", "--help"]));
});

t.test("-e VAR and --env-file come from the client, not the engine", async (t) => {
  process.env.INFRA_T_ENGINE_ONLY = "engine";
  t.teardown(() => { delete process.env.INFRA_T_ENGINE_ONLY; });
  const read: string[] = [];
  const r = parseRunArgv(req(["-e", "FROM_CLIENT", "-e", "INFRA_T_ENGINE_ONLY", "-e", "A=1", "--env-file", "vars.env", "--env-file", "/abs/other.env", "busybox"], { FROM_CLIENT: "client" }), (p) => {
    read.push(p);
    return p.endsWith("vars.env") ? "# comment\nB=2\nA=from-file\n" : "C=3\n";
  });
  t.same(read, ["/client/dir/vars.env", "/abs/other.env"], "a relative --env-file resolves against the client's cwd");
  t.ok("run" in r);
  if ("run" in r) t.same(r.run.spec.env, { B: "2", A: "1", C: "3", FROM_CLIENT: "client" }, "-e wins over the file; a name the client lacks is left out");
});

t.test("what the fast path leaves to the full CLI", async (t) => {
  for (const argv of [["-it", "busybox", "sh"], ["-i", "busybox", "cat"], ["-t", "busybox"], ["--help"], ["--rm", "-h"], ["-P", "busybox"], ["--cidfile", "x", "busybox"], ["-a", "stdout", "busybox"]]) {
    const r = parseRunArgv(req(argv));
    t.ok("fullCli" in r, `${argv.join(" ")}: ${JSON.stringify(r)}`);
  }
  const dt = parseRunArgv(req(["-dit", "busybox", "sh"]));
  t.ok("run" in dt && dt.run.detach && dt.run.spec.tty && dt.run.spec.stdinOpen, "-d with -i -t runs in one request, as the Node CLI does");
});

t.test("usage errors throw as the CLI's, with their code", async (t) => {
  t.throws(() => parseRunArgv(req(["--bogus", "busybox"])), { code: "INFRA_CLI_UNKNOWN_FLAG" });
  t.throws(() => parseRunArgv(req([])), { code: "INFRA_CLI_MISSING_IMAGE" });
  t.throws(() => parseRunArgv(req(["-m", "lots", "busybox"])), { code: "INFRA_CLI_BAD_SIZE" });
  t.throws(() => parseRunArgv(req(["--env-file", "missing.env", "busybox"], {}, "/nonexistent-dir-of-the-test")), { code: "INFRA_CLI_ENV_FILE_UNREADABLE", message: "--env-file 'missing.env' cannot be read: no such file" });
});

t.test("errors rendered exactly as the Node CLI prints them; colour as it decides", async (t) => {
  const e = new ProviderError("NotFound", "INFRA_RUNTIME_IMAGE_NOT_FOUND", "image 'nosuch' is not in the local store", { hint: "import it" });
  const viaCli = async (stdoutTty: boolean, stderrTty: boolean, env: Record<string, string>) => {
    const err = Object.assign(new PassThrough(), { isTTY: stderrTty });
    let text = "";
    err.on("data", (d: Buffer) => { text += d.toString(); });
    const io = { stdout: Object.assign(new PassThrough(), { isTTY: stdoutTty }), stderr: err, stdin: new PassThrough(), env, cwd: "/", color: stdoutTty && !env.NO_COLOR } as CommandIO;
    const code = await reportRunFailure(e, io); // what `infra run` in Node does with it
    return { text, exitCode: code };
  };
  const plain = await renderRunError(e, { ...req([]), stdoutTty: false, stderrTty: false });
  t.same(plain, await viaCli(false, false, {}));
  t.match(plain.text, /image 'nosuch' is not in the local store \[INFRA_RUNTIME_IMAGE_NOT_FOUND\]/);
  t.match(plain.text, /Hint: import it/);
  t.equal(plain.exitCode, 125, "infra failed: Docker's 125");
  const tty = await runArgvHandler.render(e, { ...req([]), stdoutTty: true, stderrTty: true });
  t.match(tty.text, /\x1b\[/, "terminals: colour");
  t.same(tty, await viaCli(true, true, {}));
  const noColor = await renderRunError(e, { ...req([], { NO_COLOR: "1" }), stdoutTty: true, stderrTty: true });
  t.notMatch(noColor.text, /\x1b\[/, "the client's NO_COLOR");
});
