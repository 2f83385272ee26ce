// How Docker reads Dockerfiles, as a table: what its parser (BuildKit's frontend/dockerfile/parser)
// accepts and how, and what only the build (its instruction checks) refuses. Cases come from the
// Dockerfile reference, BuildKit's parser test files (testfiles/health) and its line parsers'
// rules. `before` notes what infra did before it followed this split (those cases failed then).
import t, { type Test } from "tap";
import { isInfraError } from "../../src/diag/index.js";
import { assertBuildable, parseDockerfile } from "../../src/providers/local-runtime/build/dockerfile-parser.js";
import type { DockerfileInstruction, DockerfileKeyValue } from "../../src/providers/local-runtime/build/dockerfile-types.js";
import { buildImage } from "../../src/providers/local-runtime/build/build-image.js";
import { makeBuildHarness } from "./build-harness.js";

type Want = Partial<Pick<DockerfileInstruction, "instruction" | "line" | "endLine" | "flags" | "json" | "args">> & {
  keyValues?: DockerfileKeyValue[];
};

interface Expected {
  code: string;
  line: number;
  message?: RegExp;
}

interface Case {
  name: string;
  lines: string[];
  /** The parse, instruction by instruction (only the fields given are compared). */
  want?: Want[];
  /** Docker's parser rejects the file. */
  parseError?: Expected;
  /** The file parses, and a build refuses it with this first problem. */
  buildError?: Expected;
  directives?: Record<string, string>;
  /** What infra did before (the case failed then). */
  before?: string;
}

const F = "FROM alpine";
const BS = "\\";

const cases: Case[] = [
  // Instructions before FROM: the parser takes them, a build has no stage to put them in.
  { name: "ARG before FROM is normal", lines: ["ARG BASE=alpine", "FROM $BASE"], want: [{ instruction: "ARG", args: ["BASE", "alpine"] }, { instruction: "FROM", args: ["$BASE"] }] },
  { name: "RUN before FROM parses; a build has no stage for it", lines: ["ARG X=1", "RUN echo hi", F], want: [{ instruction: "ARG" }, { instruction: "RUN", line: 2, args: "echo hi" }, { instruction: "FROM", line: 3 }], buildError: { code: "INFRA_BUILD_DOCKERFILE_NO_FROM", line: 2, message: /no build stage in current context: RUN before the first FROM/ }, before: "parse error NO_FROM" },
  { name: "a file of ARG lines only parses; a build has no stage", lines: ["ARG A=1", "ARG B=2"], want: [{ instruction: "ARG" }, { instruction: "ARG" }], buildError: { code: "INFRA_BUILD_DOCKERFILE_NO_FROM", line: 1, message: /dockerfile contains no stages to build/ }, before: "parse error NO_FROM" },
  { name: "a file without any FROM parses", lines: ["LABEL a=b", "RUN true"], want: [{ instruction: "LABEL", args: ["a", "b"] }, { instruction: "RUN", args: "true" }], buildError: { code: "INFRA_BUILD_DOCKERFILE_NO_FROM", line: 1, message: /LABEL before the first FROM/ }, before: "parse error NO_FROM" },

  // Flags: kept as written (quotes removed as Docker's flag splitter does); a build checks them.
  { name: "an unknown RUN flag is kept", lines: [F, "RUN --mounts=type=cache,target=/x ls"], want: [{}, { flags: ["--mounts=type=cache,target=/x"], args: "ls" }], buildError: { code: "INFRA_BUILD_DOCKERFILE_UNKNOWN_FLAG", line: 2, message: /unknown flag: mounts \(did you mean mount\?\)/ }, before: "parse error UNKNOWN_FLAG" },
  { name: "an unknown COPY flag next to known ones", lines: [F, "COPY --chmod=755 --frobnicate=yes a b"], want: [{}, { flags: ["--chmod=755", "--frobnicate=yes"], args: ["a", "b"] }], buildError: { code: "INFRA_BUILD_DOCKERFILE_UNKNOWN_FLAG", line: 2, message: /unknown flag: frobnicate/ }, before: "parse error UNKNOWN_FLAG" },
  { name: "an unknown FROM flag", lines: ["FROM --arch=arm64 alpine"], want: [{ flags: ["--arch=arm64"], args: ["alpine"] }], buildError: { code: "INFRA_BUILD_DOCKERFILE_UNKNOWN_FLAG", line: 1, message: /unknown flag: arch/ }, before: "parse error UNKNOWN_FLAG" },
  { name: "a flag on an instruction that takes none", lines: [F, "WORKDIR --x=1 /app"], want: [{}, { flags: ["--x=1"], args: ["/app"] }], buildError: { code: "INFRA_BUILD_DOCKERFILE_UNKNOWN_FLAG", line: 2 }, before: "parse error UNKNOWN_FLAG" },
  { name: "a duplicate flag is a build error", lines: [F, "COPY --from=a --from=b x y"], want: [{}, { flags: ["--from=a", "--from=b"] }], buildError: { code: "INFRA_BUILD_DOCKERFILE_BAD_FLAG", line: 2, message: /duplicate flag specified: from/ }, before: "parse error BAD_FLAG" },
  { name: "quoted flag values lose their quotes", lines: [F, `RUN --mount="type=secret,id=a b" --network='none' ls`], want: [{}, { flags: ["--mount=type=secret,id=a b", "--network=none"], args: "ls" }] },
  { name: "-- ends the flags", lines: [F, "RUN -- --not-a-flag"], want: [{}, { flags: [], args: "--not-a-flag" }] },
  { name: "an unknown instruction parses; a build refuses it", lines: [F, "FOO bar baz"], want: [{}, { instruction: "FOO", args: ["bar", "baz"] }], buildError: { code: "INFRA_BUILD_DOCKERFILE_UNKNOWN_INSTRUCTION", line: 2, message: /unknown instruction: FOO/ }, before: "parse error UNKNOWN_INSTRUCTION" },

  // HEALTHCHECK, as BuildKit's testfiles/health parses it.
  { name: "a bare HEALTHCHECK parses", lines: [F, "HEALTHCHECK"], want: [{}, { instruction: "HEALTHCHECK", args: [] }], buildError: { code: "INFRA_BUILD_DOCKERFILE_ARGUMENTS", line: 2, message: /HEALTHCHECK requires at least one argument/ }, before: "parse error" },
  { name: "HEALTHCHECK CMD without a command parses", lines: [F, "HEALTHCHECK CMD"], want: [{}, { args: ["CMD"] }], buildError: { code: "INFRA_BUILD_DOCKERFILE_HEALTHCHECK", line: 2, message: /Missing command after HEALTHCHECK CMD/ }, before: "parse error" },
  { name: "HEALTHCHECK with an unknown type parses", lines: [F, "HEALTHCHECK CONNECT TCP 7000"], want: [{}, { args: ["CONNECT", "TCP 7000"], json: false }], buildError: { code: "INFRA_BUILD_DOCKERFILE_HEALTHCHECK", line: 2, message: /Unknown type "CONNECT" in HEALTHCHECK/ }, before: "parse error" },
  { name: "HEALTHCHECK CMD shell form keeps inner spacing", lines: [F, "HEALTHCHECK   CMD   a b"], want: [{}, { flags: [], json: false, args: ["CMD", "a b"] }] },
  { name: "HEALTHCHECK flags over a continuation", lines: [F, `HEALTHCHECK --interval=5s --timeout=3s --retries=3 ${BS}`, "  CMD /app/check.sh --quiet"], want: [{}, { line: 2, endLine: 3, flags: ["--interval=5s", "--timeout=3s", "--retries=3"], args: ["CMD", "/app/check.sh --quiet"] }] },
  { name: "HEALTHCHECK CMD exec form", lines: [F, 'HEALTHCHECK --timeout=3s CMD ["foo"]'], want: [{}, { flags: ["--timeout=3s"], json: true, args: ["CMD", "foo"] }] },
  { name: "HEALTHCHECK zero durations and retries", lines: [F, 'HEALTHCHECK --start-period=0s --interval=5s --timeout=0s --retries=0 CMD ["foo"]'], want: [{}, { json: true, args: ["CMD", "foo"] }] },
  { name: "HEALTHCHECK with every flag", lines: [F, "HEALTHCHECK --interval=30s --timeout=10s --start-period=5s --start-interval=2s --retries=3 CMD curl -f http://localhost/ || exit 1"], want: [{}, { flags: ["--interval=30s", "--timeout=10s", "--start-period=5s", "--start-interval=2s", "--retries=3"], args: ["CMD", "curl -f http://localhost/ || exit 1"] }] },
  { name: "HEALTHCHECK NONE", lines: [F, "HEALTHCHECK NONE"], want: [{}, { args: ["NONE"], json: false }] },
  { name: "HEALTHCHECK NONE ignores flags, as Docker does", lines: [F, "HEALTHCHECK --interval=5s NONE"], want: [{}, { flags: ["--interval=5s"], args: ["NONE"] }] },
  { name: "HEALTHCHECK type is case-insensitive", lines: [F, 'healthcheck cmd ["x"]'], want: [{}, { instruction: "HEALTHCHECK", json: true, args: ["cmd", "x"] }] },
  { name: "HEALTHCHECK CMD with a non-JSON array is shell form", lines: [F, `HEALTHCHECK CMD [ "a", 'b' ]`], want: [{}, { json: false, args: ["CMD", `[ "a", 'b' ]`] }] },
  { name: "HEALTHCHECK with an unknown flag parses", lines: [F, "HEALTHCHECK --every=5s CMD true"], want: [{}, { flags: ["--every=5s"], args: ["CMD", "true"] }], buildError: { code: "INFRA_BUILD_DOCKERFILE_UNKNOWN_FLAG", line: 2, message: /unknown flag: every/ }, before: "parse error UNKNOWN_FLAG" },
  { name: "HEALTHCHECK with a bad duration", lines: [F, "HEALTHCHECK --interval=5 CMD true"], want: [{}, { flags: ["--interval=5"] }], buildError: { code: "INFRA_BUILD_DOCKERFILE_HEALTHCHECK", line: 2, message: /invalid duration "5"/ }, before: "parse error" },
  { name: "HEALTHCHECK NONE with arguments", lines: [F, "HEALTHCHECK NONE x"], want: [{}, { args: ["NONE", "x"] }], buildError: { code: "INFRA_BUILD_DOCKERFILE_HEALTHCHECK", line: 2, message: /takes no arguments/ }, before: "parse error" },
  { name: "HEALTHCHECK CMD with a JSON array of non-strings", lines: [F, 'HEALTHCHECK CMD ["a", 1]'], parseError: { code: "INFRA_BUILD_DOCKERFILE_JSON", line: 2, message: /strings only/ } },

  // JSON forms: only valid JSON arrays of strings are exec form; anything else is shell form.
  { name: "CMD with single quotes in the array is shell form", lines: [F, `CMD [ "a", 'b' ]`], want: [{}, { instruction: "CMD", json: false, args: `[ "a", 'b' ]` }] },
  { name: "ENTRYPOINT with a trailing comma is shell form", lines: [F, 'ENTRYPOINT ["a", "b",]'], want: [{}, { json: false, args: '["a", "b",]' }] },
  { name: "text after the array makes it shell form", lines: [F, 'CMD ["echo", "hi"] # not a comment'], want: [{}, { json: false, args: '["echo", "hi"] # not a comment' }] },
  { name: "spaces around a valid array are fine", lines: [F, 'CMD   [ "a" , "b" ]   '], want: [{}, { json: true, args: ["a", "b"] }] },
  { name: "a JSON escape in an exec form", lines: [F, 'RUN ["echo", "a\\tb", "\\u00e9"]'], want: [{}, { json: true, args: ["echo", "a\tb", "é"] }] },
  { name: "VOLUME with a non-JSON array is split on spaces", lines: [F, `VOLUME [ "/a", '/b' ]`], want: [{}, { json: false, args: ["[", '"/a",', "'/b'", "]"] }] },
  { name: "a JSON array of non-strings is a parse error", lines: [F, 'RUN ["a", 1]'], parseError: { code: "INFRA_BUILD_DOCKERFILE_JSON", line: 2, message: /strings only/ } },
  { name: "SHELL in shell form parses; a build wants JSON", lines: [F, "SHELL /bin/sh -c"], want: [{}, { json: false, args: "/bin/sh -c" }], buildError: { code: "INFRA_BUILD_DOCKERFILE_JSON", line: 2, message: /SHELL requires the arguments to be in JSON form/ }, before: "parse error" },

  // ENV and LABEL: words split with quotes kept, then each value unquoted by the shell lexer.
  { name: "ENV quoted and escaped values", lines: [F, `ENV a="x y" b=z${BS} w`], want: [{}, { args: ["a", "x y", "b", "z w"], keyValues: [{ key: "a", value: "x y", raw: '"x y"' }, { key: "b", value: "z w", raw: `z${BS} w` }] }] },
  { name: "ENV legacy form: the rest of the line is the value", lines: [F, "ENV key value with  spaces"], want: [{}, { args: ["key", "value with  spaces"] }] },
  { name: "ENV legacy form with a tab and quotes", lines: [F, 'ENV key\t"quoted  value"'], want: [{}, { args: ["key", "quoted  value"] }] },
  { name: "ENV single quotes are literal", lines: [F, `ENV a='$HOME "x" ${BS}n'`], want: [{}, { args: ["a", `$HOME "x" ${BS}n`] }] },
  { name: "ENV a backslash in single quotes does not escape the quote", lines: [F, `ENV a='x${BS}' b=1`], want: [{}, { args: ["a", `x${BS}`, "b", "1"] }] },
  { name: "ENV escaped dollar", lines: [F, `ENV a=${BS}$HOME b="${BS}$HOME"`], want: [{}, { args: ["a", "$HOME", "b", "$HOME"], keyValues: [{ key: "a", value: "$HOME", raw: `${BS}$HOME` }, { key: "b", value: "$HOME", raw: `"${BS}$HOME"` }] }] },
  { name: "ENV escaped quote and backslash in double quotes", lines: [F, `ENV a="x${BS}"y" b="c:${BS}${BS}d" c="${BS}n"`], want: [{}, { args: ["a", 'x"y', "b", `c:${BS}d`, "c", `${BS}n`] }] },
  { name: "ENV escaped backslash unquoted", lines: [F, `ENV a=x${BS}${BS}y`], want: [{}, { args: ["a", `x${BS}y`] }] },
  { name: "ENV empty values", lines: [F, `ENV a= b="" c=''`], want: [{}, { args: ["a", "", "b", "", "c", ""] }] },
  { name: "ENV value over a continuation line", lines: [F, `ENV a="x ${BS}`, `    y" b=2`], want: [{}, { line: 2, endLine: 3, args: ["a", "x     y", "b", "2"] }] },
  { name: "ENV variables stay unexpanded in the parse", lines: [F, 'ENV a=${X:-d} b="$Y"'], want: [{}, { args: ["a", "${X:-d}", "b", "$Y"] }] },
  { name: "ENV key=value where the value has =", lines: [F, "ENV OPTS=--a=1"], want: [{}, { args: ["OPTS", "--a=1"] }] },
  { name: "ENV quoted key", lines: [F, 'ENV "k"=v'], want: [{}, { args: ["k", "v"] }] },
  { name: "ENV a word without = is a parse error", lines: [F, "ENV a=1 b"], parseError: { code: "INFRA_BUILD_DOCKERFILE_ARGUMENTS", line: 2, message: /can't find = in "b"/ } },
  { name: "ENV with a name only is a parse error", lines: [F, "ENV onlykey"], parseError: { code: "INFRA_BUILD_DOCKERFILE_ARGUMENTS", line: 2, message: /ENV must have two arguments/ } },
  { name: "an empty ENV parses; a build refuses it", lines: [F, "ENV"], want: [{}, { instruction: "ENV", args: [] }], buildError: { code: "INFRA_BUILD_DOCKERFILE_ARGUMENTS", line: 2, message: /ENV requires at least one argument/ }, before: "parse error" },
  { name: "ENV with a blank name parses; a build refuses it", lines: [F, "ENV =x"], want: [{}, { args: ["", "x"] }], buildError: { code: "INFRA_BUILD_DOCKERFILE_ARGUMENTS", line: 2, message: /names can not be blank/ }, before: "parse error" },
  { name: "ENV with an unterminated quote parses; a build fails to expand it", lines: [F, 'ENV a="open'], want: [{}, { args: ["a", '"open'] }], buildError: { code: "INFRA_BUILD_DOCKERFILE_SUBSTITUTION", line: 2, message: /double-quote/ }, before: "parse error" },
  { name: "LABEL quoted keys and values", lines: [F, `LABEL "com.example.vendor"="ACME Inc" version=1.0 description="a ${BS}"quoted${BS}" word"`], want: [{}, { instruction: "LABEL", args: ["com.example.vendor", "ACME Inc", "version", "1.0", "description", 'a "quoted" word'] }] },
  { name: "LABEL over continuation lines", lines: [F, `LABEL multi.label1="value1" ${BS}`, `      multi.label2="value2" ${BS}`, "      other=value3"], want: [{}, { line: 2, endLine: 4, args: ["multi.label1", "value1", "multi.label2", "value2", "other", "value3"] }] },
  { name: "LABEL legacy form", lines: [F, "LABEL maintainer Jane Doe"], want: [{}, { args: ["maintainer", "Jane Doe"] }] },
  { name: "ARG keeps its name as written and unquotes the default", lines: [F, `ARG A="x y" B C=${BS}$D`], want: [{}, { args: ["A", "x y", "B", "", "C", "$D"] }] },

  // Directives and the escape token.
  { name: "# syntax= is kept", lines: ["# syntax=docker/dockerfile:1.7", F], directives: { syntax: "docker/dockerfile:1.7" }, want: [{ line: 2 }] },
  { name: "# escape=` : backslashes are literal, backtick continues and escapes", lines: ["# escape=`", "FROM mcr.microsoft.com/windows/servercore", "ENV P=C:\\Windows a=x` y", "RUN dir C:\\ `", "    /s"], directives: { escape: "`" }, want: [{}, { args: ["P", "C:\\Windows", "a", "x y"] }, { line: 4, endLine: 5, args: "dir C:\\     /s" }] },
  { name: "# escape=` with a backtick-escaped quote", lines: ["# escape=`", F, 'ENV a="say `"hi`"" b=c\\d'], want: [{}, { args: ["a", 'say "hi"', "b", "c\\d"] }] },
  { name: "both directives", lines: ["# syntax=docker/dockerfile:1", "# escape=`", F], directives: { syntax: "docker/dockerfile:1", escape: "`" } },

  // Here-documents, which the parser claims.
  { name: "RUN heredoc", lines: [F, "RUN <<EOF", "echo a", "EOF"], want: [{}, { line: 2, endLine: 4, args: "<<EOF" }] },
  { name: "COPY heredoc to a file", lines: [F, "COPY <<-EOT /etc/motd", "\thello", "\tEOT"], want: [{}, { args: ["<<-EOT", "/etc/motd"] }] },

  // ONBUILD: the trigger is parsed now (parse errors count), checked only when it runs.
  { name: "ONBUILD with a trigger the parser rejects", lines: [F, "ONBUILD ENV onlykey"], parseError: { code: "INFRA_BUILD_DOCKERFILE_ARGUMENTS", line: 2, message: /ENV must have two arguments/ }, before: "accepted with a warning" },
  { name: "ONBUILD with an unknown flag in its trigger is kept", lines: [F, "ONBUILD RUN --bogus=1 make"], want: [{}, { args: ["RUN", "--bogus=1", "make"] }] },
  { name: "ONBUILD without a trigger parses; a build refuses it", lines: [F, "ONBUILD"], want: [{}, { instruction: "ONBUILD", args: [] }], buildError: { code: "INFRA_BUILD_DOCKERFILE_ARGUMENTS", line: 2 }, before: "parse error" },

  // Argument counts are the build's business.
  { name: "COPY with one argument", lines: [F, "COPY onlyone"], want: [{}, { args: ["onlyone"] }], buildError: { code: "INFRA_BUILD_DOCKERFILE_ARGUMENTS", line: 2, message: /at least two arguments/ }, before: "parse error" },
  { name: "FROM with two words", lines: ["FROM alpine base"], want: [{ args: ["alpine", "base"] }], buildError: { code: "INFRA_BUILD_DOCKERFILE_ARGUMENTS", line: 1, message: /one or three arguments/ }, before: "parse error" },
  { name: "an empty file is a parse error", lines: ["# only a comment"], parseError: { code: "INFRA_BUILD_DOCKERFILE_EMPTY", line: 1, message: /file with no instructions/ } },
];

function project(ins: DockerfileInstruction, want: Want): Want {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(want)) out[k] = (ins as unknown as Record<string, unknown>)[k];
  return out as Want;
}

function catchError(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  return undefined;
}

function checkError(t: Test, caught: unknown, want: Expected): void {
  t.ok(isInfraError(caught), "an InfraError");
  if (!isInfraError(caught)) return;
  t.equal(caught.code, want.code, "code");
  t.match(caught.summary, new RegExp(`^Dockerfile:${want.line}: `), "names the file and line");
  if (want.message) t.match(caught.summary, want.message, "message");
}

t.ok(cases.length >= 60, `a table of at least 60 cases (${cases.length})`);
t.ok(cases.filter((c) => c.before !== undefined).length >= 20, "the cases infra got wrong before are marked");

for (const c of cases) {
  t.test(c.name, async (t) => {
    const text = c.lines.join("\n") + "\n";
    if (c.parseError) {
      checkError(t, catchError(() => parseDockerfile(text)), c.parseError);
      return;
    }
    const parsed = parseDockerfile(text);
    if (c.want) {
      t.equal(parsed.instructions.length, c.want.length, "instruction count");
      c.want.forEach((w, i) => {
        const ins = parsed.instructions[i];
        if (ins) t.same(project(ins, w), w, `instruction ${i + 1}`);
      });
    }
    if (c.directives) t.same(parsed.directives, c.directives, "directives");
    const built = catchError(() => assertBuildable(parsed));
    if (c.buildError) checkError(t, built, c.buildError);
    else t.equal(built, undefined, "a build accepts it");
  });
}

t.test("a real build reports an unknown flag and a missing stage, naming them and the line", async (t) => {
  const h = await makeBuildHarness("infra-dfcases-");
  t.teardown(() => h.cleanup());
  const flag = await h.context({ Dockerfile: "FROM scratch\nCOPY --frobnicate=yes a /a\n", a: "x" });
  await t.rejects(buildImage(h.store, { contextDir: flag, tags: ["dfcases:1"] }), {
    code: "INFRA_BUILD_DOCKERFILE_UNKNOWN_FLAG",
    summary: /^Dockerfile:2: unknown flag: frobnicate/,
  });
  const noStage = await h.context({ Dockerfile: "ARG A=1\n" });
  await t.rejects(buildImage(h.store, { contextDir: noStage, tags: ["dfcases:2"] }), {
    code: "INFRA_BUILD_DOCKERFILE_NO_FROM",
    summary: /^Dockerfile:1: dockerfile contains no stages to build/,
  });
  t.same(await h.store.list(), [], "nothing was built or tagged");
  t.same((await h.leftovers()).buildDirs, [], "no build scratch space left");
});
