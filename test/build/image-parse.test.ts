// `infra image parse FILE [--json]` against files in a temporary directory.
import t from "tap";
import { PassThrough, Writable } from "node:stream";
import { isInfraError } from "../../src/diag/index.js";
import { imageParseCommand, renderInstructionsText } from "../../src/cli/commands/image-parse.js";
import type { CommandIO } from "../../src/cli/command.js";
import { parseDockerfile } from "../../src/providers/local-runtime/build/dockerfile-parser.js";

function collector(): { stream: Writable; text: () => string } {
  let buf = "";
  const stream = new Writable({
    write(chunk: Buffer | string, _enc, cb) {
      buf += chunk.toString();
      cb();
    },
  });
  return { stream, text: () => buf };
}

async function run(cwd: string, argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out = collector();
  const err = collector();
  const io: CommandIO = { stdout: out.stream, stderr: err.stream, stdin: new PassThrough(), env: {}, cwd, color: false };
  const code = await imageParseCommand.run(argv, io);
  return { code, out: out.text(), err: err.text() };
}

const dockerfile = [
  "# syntax=docker/dockerfile:1",
  "ARG BASE=alpine",
  "FROM ${BASE} AS build",
  "RUN --mount=type=cache,target=/c apk add \\",
  "    curl",
  "COPY --chown=1:1 <<EOF /etc/motd",
  "hello",
  "EOF",
  'CMD ["sh", "-c", "echo hi"]',
  'ENV A="x y" B=2',
  "ONBUILD RUN echo later",
  "",
].join("\n");

t.test("--json prints one object per instruction with exactly the agreed fields", async (t) => {
  const dir = t.testdir({ Dockerfile: dockerfile });
  const r = await run(dir, ["Dockerfile", "--json"]);
  t.equal(r.code, 0);
  const lines = r.out.trimEnd().split("\n");
  t.equal(lines.length, 7);
  const objs = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  for (const o of objs) t.same(Object.keys(o), ["instruction", "line", "flags", "json", "args"]);
  t.same(objs, [
    { instruction: "ARG", line: 2, flags: [], json: false, args: ["BASE", "alpine"] },
    { instruction: "FROM", line: 3, flags: [], json: false, args: ["${BASE}", "AS", "build"] },
    { instruction: "RUN", line: 4, flags: ["--mount=type=cache,target=/c"], json: false, args: "apk add     curl" },
    { instruction: "COPY", line: 6, flags: ["--chown=1:1"], json: false, args: ["<<EOF", "/etc/motd"] },
    { instruction: "CMD", line: 9, flags: [], json: true, args: ["sh", "-c", "echo hi"] },
    { instruction: "ENV", line: 10, flags: [], json: false, args: ["A", "x y", "B", "2"] },
    { instruction: "ONBUILD", line: 11, flags: [], json: false, args: ["RUN", "echo later"] },
  ]);
  t.equal(r.err, "", "no warnings for this file");
});

t.test("without --json: a readable listing with line ranges and heredocs", async (t) => {
  const dir = t.testdir({ sub: { "build.Dockerfile": dockerfile } });
  const r = await run(dir, ["sub/build.Dockerfile"]);
  t.equal(r.code, 0);
  t.match(r.out, /^ {3}2 {2}ARG {9}BASE="alpine"$/m);
  t.match(r.out, /^ 4-5 {2}RUN {9}--mount=type=cache,target=\/c apk add {5}curl$/m);
  t.match(r.out, /^ 6-8 {2}COPY {8}--chown=1:1 <<EOF \/etc\/motd$/m);
  t.match(r.out, /<<EOF: 1 line \(expanded\)/);
  t.match(r.out, /^ {3}9 {2}CMD {9}\["sh","-c","echo hi"\] \(exec form\)$/m);
});

t.test("renderInstructionsText marks literal and tab-stripped heredocs", async (t) => {
  const p = parseDockerfile("FROM a\nRUN <<-'X'\n\tone\n\ttwo\n\tX\n");
  t.match(renderInstructionsText(p.instructions), /<<X: 2 lines \(literal, tabs stripped\)/);
});

t.test("warnings go to stderr, the listing still prints", async (t) => {
  const dir = t.testdir({ Dockerfile: "FROM a\nMAINTAINER me\n" });
  const r = await run(dir, ["Dockerfile", "--json"]);
  t.equal(r.code, 0);
  t.equal(r.out.trimEnd().split("\n").length, 2);
  t.match(r.err, /MAINTAINER is deprecated/);
});

t.test("what only a build refuses is listed, with a warning naming the line", async (t) => {
  const dir = t.testdir({ Dockerfile: "FROM a\nRUN ok\nFRM b\nCOPY --nope x y\n" });
  const r = await run(dir, ["Dockerfile", "--json"]);
  t.equal(r.code, 0);
  t.same(r.out.trimEnd().split("\n").map((l) => (JSON.parse(l) as { instruction: string }).instruction), ["FROM", "RUN", "FRM", "COPY"]);
  t.match(r.err, /Dockerfile:3: a build will fail: unknown instruction: FRM/);
  t.match(r.err, /Dockerfile:4: a build will fail: unknown flag: nope/);
});

t.test("a file Docker's parser rejects throws with file and line", async (t) => {
  const dir = t.testdir({ Dockerfile: 'FROM a\nRUN ok\nCMD ["x", 1]\n' });
  await t.rejects(run(dir, ["Dockerfile", "--json"]), { code: "INFRA_BUILD_DOCKERFILE_JSON", summary: /^Dockerfile:3: when using JSON array syntax/ });
});

t.test("a missing file and bad usage are errors", async (t) => {
  const dir = t.testdir({});
  await t.rejects(run(dir, ["nope"]), { code: "INFRA_BUILD_DOCKERFILE_READ", summary: /cannot read nope: ENOENT/ });
  try {
    await run(dir, []);
    t.fail("expected a usage error");
  } catch (e) {
    t.ok(isInfraError(e) && e.code.startsWith("INFRA_CLI_"), "usage error without FILE");
  }
  await t.rejects(run(dir, ["a", "--yaml"]), { code: "INFRA_CLI_UNKNOWN_FLAG" });
});

t.test("the command is named image parse", async (t) => {
  t.same(imageParseCommand.name, ["image", "parse"]);
  t.match(imageParseCommand.usage, /infra image parse FILE \[--json\]/);
});
