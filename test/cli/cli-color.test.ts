// Colour on a TTY only, never with NO_COLOR or --no-color (main run in this process with fake streams).
import { PassThrough } from "node:stream";
import t from "tap";
import { main } from "../../src/cli/main.js";
import { runCli, tempDir } from "./fixtures/run-cli.js";

function fakeOut(isTTY: boolean): PassThrough & { isTTY: boolean; text(): string } {
  const s = new PassThrough() as PassThrough & { isTTY: boolean; text(): string };
  let buf = "";
  s.on("data", (d: Buffer) => (buf += d.toString()));
  s.isTTY = isTTY;
  s.text = () => buf;
  return s;
}

const ANSI = /\x1b\[/;

t.test("plan output colour", async (t) => {
  const cwd = tempDir(t, "color");
  t.equal((await runCli(["init"], { cwd })).code, 0);
  const run = async (args: string[], tty: boolean, extraEnv: Record<string, string> = {}): Promise<string> => {
    const stdout = fakeOut(tty);
    const stderr = fakeOut(false);
    const code = await main(args, { stdout, stderr, stdin: new PassThrough(), env: { INFRA_PROVIDER: "memory", ...extraEnv }, cwd });
    t.equal(code, 0, stderr.text());
    return stdout.text();
  };
  t.match(await run(["plan"], true), ANSI, "TTY: colour");
  t.notMatch(await run(["plan"], false), ANSI, "not a TTY: none");
  t.notMatch(await run(["plan"], true, { NO_COLOR: "1" }), ANSI, "NO_COLOR: none");
  t.notMatch(await run(["--no-color", "plan"], true), ANSI, "--no-color before the command");
  t.notMatch(await run(["plan", "--no-color"], true), ANSI, "--no-color after the command");
});
