// The Dockerfile parser against a table of cases taken from the Dockerfile reference and from
// how BuildKit's parser behaves (continuations, directives, here-documents, JSON fallback...).
import t from "tap";
import { isInfraError } from "../../src/diag/index.js";
import { assertBuildable, parseDockerfile } from "../../src/providers/local-runtime/build/dockerfile-parser.js";
import type { DockerfileInstruction } from "../../src/providers/local-runtime/build/dockerfile-types.js";

type Want = Partial<Pick<DockerfileInstruction, "instruction" | "line" | "endLine" | "flags" | "json" | "args" | "heredocs" | "original">>;

interface Case {
  name: string;
  /** Lines of the Dockerfile (joined with "\n", plus a final newline unless `raw`). */
  lines?: string[];
  raw?: string;
  /** Every instruction, in order; only the fields given are compared. */
  want?: Want[];
  /** The first problem's code and line, and optionally its message (from the parse or the build's checks). */
  error?: { code: string; line: number; message?: RegExp; count?: number };
  /** Warning codes expected in diagnostics. */
  warnings?: string[];
  directives?: Record<string, string>;
}

const F = "FROM alpine";
const BS = "\\";

const cases: Case[] = [
  // FROM
  { name: "FROM image", lines: ["FROM alpine:3.20"], want: [{ instruction: "FROM", line: 1, endLine: 1, flags: [], json: false, args: ["alpine:3.20"] }] },
  { name: "FROM AS name", lines: ["FROM golang:1.22 AS build"], want: [{ instruction: "FROM", args: ["golang:1.22", "AS", "build"] }] },
  { name: "FROM --platform", lines: ["FROM --platform=$BUILDPLATFORM alpine AS b"], want: [{ flags: ["--platform=$BUILDPLATFORM"], args: ["alpine", "AS", "b"] }] },
  { name: "lower-case keywords are upper-cased", lines: ["from alpine as base", "run echo hi"], want: [{ instruction: "FROM", args: ["alpine", "as", "base"] }, { instruction: "RUN", line: 2, args: "echo hi" }] },
  { name: "FROM with two words is rejected", lines: ["FROM alpine base"], error: { code: "INFRA_BUILD_DOCKERFILE_ARGUMENTS", line: 1, message: /one or three arguments/ } },
  { name: "FROM with an invalid stage name", lines: ["FROM alpine AS 1st"], error: { code: "INFRA_BUILD_DOCKERFILE_STAGE_NAME", line: 1, message: /invalid name for build stage/ } },
  { name: "FROM with an unknown flag", lines: ["FROM --arch=arm64 alpine"], error: { code: "INFRA_BUILD_DOCKERFILE_UNKNOWN_FLAG", line: 1, message: /unknown flag: arch/ } },

  // RUN, CMD, ENTRYPOINT, SHELL
  { name: "RUN shell form", lines: [F, "RUN apt-get update && apt-get install -y curl"], want: [{}, { instruction: "RUN", line: 2, json: false, args: "apt-get update && apt-get install -y curl" }] },
  { name: "RUN exec form", lines: [F, 'RUN ["/bin/bash", "-c", "echo hello"]'], want: [{}, { json: true, args: ["/bin/bash", "-c", "echo hello"] }] },
  { name: "RUN malformed JSON falls back to shell form", lines: [F, 'RUN ["echo", "unterminated]'], want: [{}, { json: false, args: '["echo", "unterminated]' }] },
  { name: "RUN test brackets are shell form", lines: [F, "RUN [ -f /etc/os-release ] && cat /etc/os-release"], want: [{}, { json: false, args: "[ -f /etc/os-release ] && cat /etc/os-release" }] },
  { name: "RUN JSON with single quotes is shell form", lines: [F, "RUN ['echo', 'hi']"], want: [{}, { json: false, args: "['echo', 'hi']" }] },
  { name: "RUN JSON array of non-strings is rejected", lines: [F, 'RUN ["echo", 1]'], error: { code: "INFRA_BUILD_DOCKERFILE_JSON", line: 2, message: /strings only/ } },
  { name: "RUN flags: repeated --mount, --network, --security", lines: [F, "RUN --mount=type=cache,target=/root/.cache --mount=type=secret,id=tok --network=none --security=sandbox make"], want: [{}, { flags: ["--mount=type=cache,target=/root/.cache", "--mount=type=secret,id=tok", "--network=none", "--security=sandbox"], args: "make" }] },
  { name: "RUN flag quotes are removed as Docker does", lines: [F, 'RUN --mount="type=bind,target=/src" ls'], want: [{}, { flags: ["--mount=type=bind,target=/src"], args: "ls" }] },
  { name: "RUN with an unknown flag", lines: [F, "RUN --mounts=type=cache,target=/x ls"], error: { code: "INFRA_BUILD_DOCKERFILE_UNKNOWN_FLAG", line: 2, message: /unknown flag: mounts \(did you mean mount\?\)/ } },
  { name: "RUN flag without value", lines: [F, "RUN --network ls"], error: { code: "INFRA_BUILD_DOCKERFILE_BAD_FLAG", line: 2, message: /missing a value on flag: network/ } },
  { name: "RUN without a command", lines: [F, "RUN"], error: { code: "INFRA_BUILD_DOCKERFILE_ARGUMENTS", line: 2, message: /RUN requires at least one argument/ } },
  { name: "RUN inline # is not a comment", lines: [F, "RUN echo hi # not a comment"], want: [{}, { args: "echo hi # not a comment" }] },
  { name: "CMD shell form", lines: [F, "CMD nginx -g 'daemon off;'"], want: [{}, { instruction: "CMD", json: false, args: "nginx -g 'daemon off;'" }] },
  { name: "CMD exec form", lines: [F, 'CMD ["nginx", "-g", "daemon off;"]'], want: [{}, { instruction: "CMD", json: true, args: ["nginx", "-g", "daemon off;"] }] },
  { name: "CMD empty array is allowed", lines: [F, "CMD []"], want: [{}, { instruction: "CMD", json: true, args: [] }] },
  { name: "ENTRYPOINT exec form", lines: [F, 'ENTRYPOINT ["/entrypoint.sh"]'], want: [{}, { instruction: "ENTRYPOINT", json: true, args: ["/entrypoint.sh"] }] },
  { name: "ENTRYPOINT shell form", lines: [F, "ENTRYPOINT exec top -b"], want: [{}, { instruction: "ENTRYPOINT", json: false, args: "exec top -b" }] },
  { name: "SHELL exec form", lines: [F, 'SHELL ["/bin/bash", "-eo", "pipefail", "-c"]'], want: [{}, { instruction: "SHELL", json: true, args: ["/bin/bash", "-eo", "pipefail", "-c"] }] },
  { name: "SHELL shell form is rejected", lines: [F, "SHELL /bin/bash -c"], error: { code: "INFRA_BUILD_DOCKERFILE_JSON", line: 2, message: /JSON form/ } },
  { name: "CMD takes no flags", lines: [F, "CMD --x=1 run"], error: { code: "INFRA_BUILD_DOCKERFILE_UNKNOWN_FLAG", line: 2 } },

  // COPY, ADD
  { name: "COPY words", lines: [F, "COPY a.txt b.txt /dst/"], want: [{}, { instruction: "COPY", json: false, args: ["a.txt", "b.txt", "/dst/"] }] },
  { name: "COPY JSON form keeps spaces", lines: [F, 'COPY ["my file.txt", "/dst dir/"]'], want: [{}, { json: true, args: ["my file.txt", "/dst dir/"] }] },
  { name: "COPY flags as written", lines: [F, "COPY --from=build --chown=1:1 --chmod=0755 --link /out/app /usr/bin/app"], want: [{}, { flags: ["--from=build", "--chown=1:1", "--chmod=0755", "--link"], args: ["/out/app", "/usr/bin/app"] }] },
  { name: "COPY --exclude repeatable, --parents", lines: [F, "COPY --parents --exclude=*.md --exclude=*.txt ./a/ /b/"], want: [{}, { flags: ["--parents", "--exclude=*.md", "--exclude=*.txt"] }] },
  { name: "COPY with one argument", lines: [F, "COPY onlyone"], error: { code: "INFRA_BUILD_DOCKERFILE_ARGUMENTS", line: 2, message: /at least two arguments/ } },
  { name: "COPY duplicate flag", lines: [F, "COPY --from=a --from=b x y"], error: { code: "INFRA_BUILD_DOCKERFILE_BAD_FLAG", line: 2, message: /duplicate flag specified: from/ } },
  { name: "COPY boolean flag with a non-boolean value", lines: [F, "COPY --link=maybe x y"], error: { code: "INFRA_BUILD_DOCKERFILE_BAD_FLAG", line: 2, message: /expecting boolean value/ } },
  { name: "COPY --checksum is ADD only", lines: [F, "COPY --checksum=sha256:abc x y"], error: { code: "INFRA_BUILD_DOCKERFILE_UNKNOWN_FLAG", line: 2 } },
  { name: "ADD with --checksum and --keep-git-dir", lines: [F, "ADD --checksum=sha256:24454f --keep-git-dir=true https://example.com/a.tar /x/"], want: [{}, { instruction: "ADD", flags: ["--checksum=sha256:24454f", "--keep-git-dir=true"], args: ["https://example.com/a.tar", "/x/"] }] },
  { name: "ADD JSON form", lines: [F, 'ADD ["a.tar.gz", "/opt/"]'], want: [{}, { instruction: "ADD", json: true, args: ["a.tar.gz", "/opt/"] }] },
  { name: "ADD --from is COPY only", lines: [F, "ADD --from=x a b"], error: { code: "INFRA_BUILD_DOCKERFILE_UNKNOWN_FLAG", line: 2 } },

  // EXPOSE, VOLUME, USER, WORKDIR, STOPSIGNAL, MAINTAINER
  { name: "EXPOSE several ports", lines: [F, "EXPOSE 80/tcp 443 53/udp"], want: [{}, { instruction: "EXPOSE", args: ["80/tcp", "443", "53/udp"] }] },
  { name: "EXPOSE without ports", lines: [F, "EXPOSE"], error: { code: "INFRA_BUILD_DOCKERFILE_ARGUMENTS", line: 2, message: /EXPOSE requires at least one argument/ } },
  { name: "VOLUME JSON", lines: [F, 'VOLUME ["/data", "/var/log"]'], want: [{}, { instruction: "VOLUME", json: true, args: ["/data", "/var/log"] }] },
  { name: "VOLUME words", lines: [F, "VOLUME /data /cache"], want: [{}, { instruction: "VOLUME", json: false, args: ["/data", "/cache"] }] },
  { name: "VOLUME empty string", lines: [F, 'VOLUME [""]'], error: { code: "INFRA_BUILD_DOCKERFILE_ARGUMENTS", line: 2, message: /can not be an empty string/ } },
  { name: "USER", lines: [F, "USER app:app"], want: [{}, { instruction: "USER", args: ["app:app"] }] },
  { name: "WORKDIR keeps the rest of the line as one argument", lines: [F, "WORKDIR /my app dir"], want: [{}, { instruction: "WORKDIR", args: ["/my app dir"] }] },
  { name: "WORKDIR without a path", lines: [F, "WORKDIR"], error: { code: "INFRA_BUILD_DOCKERFILE_ARGUMENTS", line: 2, message: /exactly one argument/ } },
  { name: "STOPSIGNAL", lines: [F, "STOPSIGNAL SIGQUIT"], want: [{}, { instruction: "STOPSIGNAL", args: ["SIGQUIT"] }] },
  { name: "MAINTAINER is accepted with a warning", lines: [F, "MAINTAINER Jane Doe <jane@example.com>"], want: [{}, { instruction: "MAINTAINER", args: ["Jane Doe <jane@example.com>"] }], warnings: ["INFRA_BUILD_DOCKERFILE_MAINTAINER_DEPRECATED"] },

  // ENV, LABEL, ARG
  { name: "ENV key=value with quotes", lines: [F, 'ENV MY_NAME="John Doe" MY_DOG=Rex\\ The\\ Dog MY_CAT=fluffy'], want: [{}, { instruction: "ENV", args: ["MY_NAME", "John Doe", "MY_DOG", "Rex The Dog", "MY_CAT", "fluffy"] }] },
  { name: "ENV legacy form keeps inner spaces", lines: [F, "ENV MY_VAR my  value  here"], want: [{}, { args: ["MY_VAR", "my  value  here"] }], warnings: ["INFRA_BUILD_DOCKERFILE_LEGACY_KEY_VALUE"] },
  { name: "ENV single quotes are literal, variables stay unexpanded", lines: [F, "ENV A='$HOME x' B=\"${X:-y}\""], want: [{}, { args: ["A", "$HOME x", "B", "${X:-y}"] }] },
  { name: "ENV escaped quote inside double quotes", lines: [F, 'ENV Q="say \\"hi\\"" E=""'], want: [{}, { args: ["Q", 'say "hi"', "E", ""] }] },
  { name: "ENV word without =", lines: [F, "ENV A=1 B"], error: { code: "INFRA_BUILD_DOCKERFILE_ARGUMENTS", line: 2, message: /can't find = in "B"/ } },
  { name: "ENV with a name only", lines: [F, "ENV ONLYNAME"], error: { code: "INFRA_BUILD_DOCKERFILE_ARGUMENTS", line: 2, message: /ENV must have two arguments/ } },
  { name: "ENV with a blank name", lines: [F, "ENV =x"], error: { code: "INFRA_BUILD_DOCKERFILE_ARGUMENTS", line: 2, message: /names can not be blank/ } },
  { name: "ENV with an unterminated quote", lines: [F, 'ENV A="open'], error: { code: "INFRA_BUILD_DOCKERFILE_SUBSTITUTION", line: 2, message: /double-quote/ } },
  { name: "LABEL several, quoted keys and values", lines: [F, 'LABEL "com.example.vendor"="ACME Inc" version="1.0" description="multi word"'], want: [{}, { instruction: "LABEL", args: ["com.example.vendor", "ACME Inc", "version", "1.0", "description", "multi word"] }] },
  { name: "LABEL over continuation lines", lines: [F, `LABEL a=1 ${BS}`, `      b=2 ${BS}`, "      c=3"], want: [{}, { instruction: "LABEL", line: 2, endLine: 4, args: ["a", "1", "b", "2", "c", "3"] }] },
  { name: "ARG name only and with default", lines: [F, "ARG USER", "ARG VERSION=1.2 OTHER=\"a b\""], want: [{}, { instruction: "ARG", args: ["USER", ""] }, { args: ["VERSION", "1.2", "OTHER", "a b"] }] },
  { name: "ARG may precede FROM", lines: ["ARG BASE=alpine", "FROM ${BASE}", "ARG BASE"], want: [{ instruction: "ARG", line: 1 }, { instruction: "FROM", args: ["${BASE}"] }, { instruction: "ARG", line: 3 }] },
  { name: "ARG without a name", lines: [F, "ARG"], error: { code: "INFRA_BUILD_DOCKERFILE_ARGUMENTS", line: 2 } },

  // Missing FROM, empty files, unknown instructions, several problems
  { name: "RUN before FROM", lines: ["ARG X=1", "RUN echo hi", F], error: { code: "INFRA_BUILD_DOCKERFILE_NO_FROM", line: 2, message: /no build stage/ } },
  { name: "only ARG lines", lines: ["ARG A=1", "ARG B=2"], error: { code: "INFRA_BUILD_DOCKERFILE_NO_FROM", line: 1, message: /no stages to build/ } },
  { name: "an empty file", raw: "", error: { code: "INFRA_BUILD_DOCKERFILE_EMPTY", line: 1 } },
  { name: "only comments and blank lines", lines: ["# just a comment", "", "   # another"], error: { code: "INFRA_BUILD_DOCKERFILE_EMPTY", line: 1 } },
  { name: "unknown instruction with a suggestion", lines: [F, "", "RUNN echo hi"], error: { code: "INFRA_BUILD_DOCKERFILE_UNKNOWN_INSTRUCTION", line: 3, message: /unknown instruction: RUNN \(did you mean RUN\?\)/ } },
  { name: "every problem is reported, first one leads", lines: [F, "FOO x", "COPY --nope a b", "EXPOSE"], error: { code: "INFRA_BUILD_DOCKERFILE_UNKNOWN_INSTRUCTION", line: 2, count: 3 } },

  // Directives
  { name: "syntax and check directives", lines: ["# syntax=docker/dockerfile:1.7", "# check=skip=JSONArgsRecommended", F], directives: { syntax: "docker/dockerfile:1.7", check: "skip=JSONArgsRecommended" }, want: [{ line: 3 }] },
  { name: "directive keys are case-insensitive and spaced", lines: ["#  SYNTAX = docker/dockerfile:1  ", F], directives: { syntax: "docker/dockerfile:1" } },
  { name: "backtick escape: continuation with a backtick, backslash literal", lines: ["# escape=`", "FROM mcr.microsoft.com/windows/servercore", "COPY testfile.txt c:\\", "RUN dir c:\\ `", "    /s"], directives: { escape: "`" }, want: [{}, { instruction: "COPY", line: 3, args: ["testfile.txt", "c:\\"] }, { instruction: "RUN", line: 4, endLine: 5, args: "dir c:\\     /s" }] },
  { name: "backtick escape in ENV quoting", lines: ["# escape=`", F, "ENV P=c:\\dir` x"], want: [{}, { args: ["P", "c:\\dir x"] }] },
  { name: "a directive after a comment is a comment", lines: ["# about this file", "# escape=`", F, `RUN echo a ${BS}`, "  b"], directives: {}, want: [{}, { args: "echo a   b" }] },
  { name: "a directive after a blank line is a comment", lines: ["", "# escape=`", F], directives: {} },
  { name: "a directive after an instruction is a comment", lines: [F, "# syntax=x"], directives: {} },
  { name: "an unknown directive ends the directives", lines: ["# foo=bar", "# escape=`", F], directives: {} },
  { name: "a repeated directive", lines: ["# escape=\\", "# escape=`", F], error: { code: "INFRA_BUILD_DOCKERFILE_DIRECTIVE", line: 2, message: /only one escape parser directive/ } },
  { name: "an invalid escape token", lines: ["# escape=$", F], error: { code: "INFRA_BUILD_DOCKERFILE_DIRECTIVE", line: 1, message: /invalid escape token/ } },

  // Continuations and comments
  { name: "continuation keeps the next line's indentation", lines: [F, `RUN apt-get update && ${BS}`, "    apt-get install -y curl"], want: [{}, { line: 2, endLine: 3, args: "apt-get update &&     apt-get install -y curl" }] },
  { name: "comment lines inside a continuation are dropped", lines: [F, `RUN a ${BS}`, "# first", "    # indented", `  && b ${BS}`, "  && c"], want: [{}, { line: 2, endLine: 6, args: "a   && b   && c" }] },
  { name: "empty lines inside a continuation are dropped, with a warning", lines: [F, `EXPOSE ${BS}`, "", "80"], want: [{}, { line: 2, endLine: 4, args: ["80"] }], warnings: ["INFRA_BUILD_DOCKERFILE_EMPTY_CONTINUATION"] },
  { name: "whitespace after the continuation backslash", lines: [F, `RUN echo a ${BS}  \t`, "b"], want: [{}, { args: "echo a b" }] },
  { name: "an escaped backslash does not continue", lines: [F, `RUN echo ${BS}${BS}`, "CMD x"], want: [{}, { args: `echo ${BS}${BS}` }, { instruction: "CMD" }] },
  { name: "a continuation at the end of the file", lines: [F, `RUN echo hi ${BS}`], want: [{}, { args: "echo hi" }] },
  { name: "an empty continuation at the end of the file", lines: [F, `RUN ${BS}`], error: { code: "INFRA_BUILD_DOCKERFILE_ARGUMENTS", line: 2, message: /RUN requires at least one argument/ } },
  { name: "leading whitespace and indented comments", lines: ["   FROM alpine", "\t# comment", "  RUN echo"], want: [{ line: 1 }, { line: 3, args: "echo" }] },
  { name: "CRLF line endings", raw: `FROM alpine\r\nRUN echo a ${BS}\r\n  b\r\nCMD ["x"]\r\n`, want: [{}, { args: "echo a   b", endLine: 3 }, { json: true, args: ["x"] }] },
  { name: "a byte-order mark before a directive", raw: "\uFEFF# escape=`\nFROM alpine\n", directives: { escape: "`" } },
  { name: "original keeps the joined logical line", lines: [F, `RUN --network=none a ${BS}`, "  b"], want: [{ original: F }, { original: "RUN --network=none a   b" }] },

  // Here-documents
  {
    name: "RUN heredoc",
    lines: [F, "RUN <<EOF", "apt-get update", "apt-get install -y vim", "EOF", "CMD x"],
    want: [{}, { instruction: "RUN", line: 2, endLine: 5, args: "<<EOF", heredocs: [{ name: "EOF", content: "apt-get update\napt-get install -y vim\n", expand: true, chomp: false, fileDescriptor: 0 }] }, { instruction: "CMD", line: 6 }],
  },
  {
    name: "RUN heredoc with a program and redirection",
    lines: [F, "RUN python3 <<EOF > /hello", "print('hi')", "EOF"],
    want: [{}, { args: "python3 <<EOF > /hello", heredocs: [{ name: "EOF", content: "print('hi')\n", expand: true, chomp: false, fileDescriptor: 0 }] }],
  },
  {
    name: "<<- strips leading tabs from the body and terminator",
    lines: [F, "RUN <<-EOT", "\techo a", "\t\techo b", "\tEOT"],
    want: [{}, { endLine: 5, heredocs: [{ name: "EOT", content: "echo a\necho b\n", expand: true, chomp: true, fileDescriptor: 0 }] }],
  },
  {
    name: "quoted delimiters turn expansion off",
    lines: [F, "COPY <<'A' <<\"B\" <<C\"D\" /dst/", "$x", "A", "$y", "B", "$z", "CD"],
    want: [{}, { args: ["<<'A'", '<<"B"', '<<C"D"', "/dst/"], heredocs: [
      { name: "A", content: "$x\n", expand: false, chomp: false, fileDescriptor: 0 },
      { name: "B", content: "$y\n", expand: false, chomp: false, fileDescriptor: 0 },
      { name: "CD", content: "$z\n", expand: false, chomp: false, fileDescriptor: 0 },
    ] }],
  },
  {
    name: "several heredocs on one COPY line",
    lines: [F, "COPY <<robots.txt <<humans.txt /usr/share/html/", "User-agent: *", "robots.txt", "(made by humans)", "humans.txt"],
    want: [{}, { line: 2, endLine: 6, heredocs: [
      { name: "robots.txt", content: "User-agent: *\n", expand: true, chomp: false, fileDescriptor: 0 },
      { name: "humans.txt", content: "(made by humans)\n", expand: true, chomp: false, fileDescriptor: 0 },
    ] }],
  },
  { name: "a heredoc with a file descriptor", lines: [F, "RUN cat 3<<IN", "x", "IN"], want: [{}, { heredocs: [{ name: "IN", content: "x\n", expand: true, chomp: false, fileDescriptor: 3 }] }] },
  { name: "a heredoc body is verbatim: comments and backslashes kept", lines: [F, "RUN <<EOF", "# not a comment", `echo a ${BS}`, "", "EOF"], want: [{}, { heredocs: [{ name: "EOF", content: `# not a comment\necho a ${BS}\n\n`, expand: true, chomp: false, fileDescriptor: 0 }] }] },
  { name: "ADD heredoc", lines: [F, "ADD <<EOF /etc/motd", "hello", "EOF"], want: [{}, { instruction: "ADD", heredocs: [{ name: "EOF", content: "hello\n", expand: true, chomp: false, fileDescriptor: 0 }] }] },
  { name: "no heredoc in exec-form RUN", lines: [F, 'RUN ["cat", "<<EOF"]', "CMD x"], want: [{}, { json: true, args: ["cat", "<<EOF"] }, { instruction: "CMD" }] },
  { name: "no heredoc in CMD", lines: [F, "CMD cat <<EOF", "RUN x"], want: [{}, { instruction: "CMD", args: "cat <<EOF" }, { instruction: "RUN" }] },
  { name: "a quoted <<EOF is not a heredoc", lines: [F, 'RUN echo "<<EOF"', "CMD x"], want: [{}, { args: 'echo "<<EOF"' }, { instruction: "CMD" }] },
  { name: "an unterminated heredoc", lines: [F, "RUN <<EOF", "echo hi", "EOFX"], error: { code: "INFRA_BUILD_DOCKERFILE_HEREDOC", line: 2, message: /unterminated heredoc EOF/ } },
  { name: "a heredoc as COPY destination", lines: [F, "COPY a <<EOF", "x", "EOF"], error: { code: "INFRA_BUILD_DOCKERFILE_HEREDOC", line: 2, message: /heredoc as a destination/ } },

  // ONBUILD
  { name: "ONBUILD RUN", lines: [F, "ONBUILD RUN /usr/local/bin/python-build --dir /app/src"], want: [{}, { instruction: "ONBUILD", json: false, flags: [], args: ["RUN", "/usr/local/bin/python-build --dir /app/src"] }] },
  { name: "ONBUILD COPY with flags", lines: [F, "ONBUILD COPY --chown=1:1 . /app/src"], want: [{}, { args: ["COPY", "--chown=1:1", ".", "/app/src"] }] },
  { name: "ONBUILD CMD exec form", lines: [F, 'onbuild cmd ["a", "b"]'], want: [{}, { instruction: "ONBUILD", json: true, args: ["CMD", "a", "b"] }] },
  { name: "ONBUILD RUN with a heredoc", lines: [F, "ONBUILD RUN <<EOF", "echo hi", "EOF"], want: [{}, { endLine: 4, args: ["RUN", "<<EOF"], heredocs: [{ name: "EOF", content: "echo hi\n", expand: true, chomp: false, fileDescriptor: 0 }] }] },
  { name: "ONBUILD ONBUILD", lines: [F, "ONBUILD ONBUILD RUN x"], error: { code: "INFRA_BUILD_DOCKERFILE_ONBUILD", line: 2, message: /Chaining ONBUILD/ } },
  { name: "ONBUILD FROM", lines: [F, "ONBUILD FROM alpine"], error: { code: "INFRA_BUILD_DOCKERFILE_ONBUILD", line: 2, message: /FROM isn't allowed as an ONBUILD trigger/ } },
  { name: "ONBUILD with a bad trigger is accepted with a warning", lines: [F, "ONBUILD FOO bar"], want: [{}, { args: ["FOO", "bar"] }], warnings: ["INFRA_BUILD_DOCKERFILE_UNKNOWN_INSTRUCTION"] },
  { name: "ONBUILD without a trigger", lines: [F, "ONBUILD"], error: { code: "INFRA_BUILD_DOCKERFILE_ARGUMENTS", line: 2 } },

  // HEALTHCHECK
  { name: "HEALTHCHECK NONE", lines: [F, "HEALTHCHECK NONE"], want: [{}, { instruction: "HEALTHCHECK", json: false, args: ["NONE"] }] },
  { name: "HEALTHCHECK CMD shell form with flags", lines: [F, "HEALTHCHECK --interval=5m --timeout=3s --start-period=1s --start-interval=500ms --retries=3 CMD curl -f http://localhost/ || exit 1"], want: [{}, { flags: ["--interval=5m", "--timeout=3s", "--start-period=1s", "--start-interval=500ms", "--retries=3"], json: false, args: ["CMD", "curl -f http://localhost/ || exit 1"] }] },
  { name: "HEALTHCHECK CMD exec form", lines: [F, 'HEALTHCHECK CMD ["/bin/check", "--fast"]'], want: [{}, { json: true, args: ["CMD", "/bin/check", "--fast"] }] },
  { name: "HEALTHCHECK with an unknown type", lines: [F, "HEALTHCHECK RUN x"], error: { code: "INFRA_BUILD_DOCKERFILE_HEALTHCHECK", line: 2, message: /Unknown type "RUN"/ } },
  { name: "HEALTHCHECK NONE with arguments", lines: [F, "HEALTHCHECK NONE x"], error: { code: "INFRA_BUILD_DOCKERFILE_HEALTHCHECK", line: 2, message: /takes no arguments/ } },
  { name: "HEALTHCHECK CMD without a command", lines: [F, "HEALTHCHECK CMD"], error: { code: "INFRA_BUILD_DOCKERFILE_HEALTHCHECK", line: 2, message: /Missing command/ } },
  { name: "HEALTHCHECK with a bad duration", lines: [F, "HEALTHCHECK --interval=5 CMD true"], error: { code: "INFRA_BUILD_DOCKERFILE_HEALTHCHECK", line: 2, message: /invalid duration "5"/ } },
  { name: "HEALTHCHECK with a too short interval", lines: [F, "HEALTHCHECK --timeout=10us CMD true"], error: { code: "INFRA_BUILD_DOCKERFILE_HEALTHCHECK", line: 2, message: /cannot be less than 1ms/ } },
  { name: "HEALTHCHECK with negative retries", lines: [F, "HEALTHCHECK --retries=-1 CMD true"], error: { code: "INFRA_BUILD_DOCKERFILE_HEALTHCHECK", line: 2, message: /cannot be negative/ } },
  { name: "HEALTHCHECK with an unknown flag", lines: [F, "HEALTHCHECK --every=5s CMD true"], error: { code: "INFRA_BUILD_DOCKERFILE_UNKNOWN_FLAG", line: 2 } },

  // Multi-stage
  {
    name: "multi-stage build",
    lines: ["# syntax=docker/dockerfile:1", "FROM golang:1.22 AS build", "WORKDIR /src", "COPY . .", "RUN go build -o /bin/app", "", "FROM scratch", "COPY --from=build /bin/app /app", 'ENTRYPOINT ["/app"]'],
    want: [
      { instruction: "FROM", line: 2, args: ["golang:1.22", "AS", "build"] },
      { instruction: "WORKDIR", line: 3 },
      { instruction: "COPY", line: 4, args: [".", "."] },
      { instruction: "RUN", line: 5 },
      { instruction: "FROM", line: 7, args: ["scratch"] },
      { instruction: "COPY", line: 8, flags: ["--from=build"] },
      { instruction: "ENTRYPOINT", line: 9, json: true },
    ],
  },
];

function textOf(c: Case): string {
  return c.raw ?? (c.lines ?? []).join("\n") + "\n";
}

function project(ins: DockerfileInstruction, want: Want): Want {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(want)) out[k] = (ins as unknown as Record<string, unknown>)[k];
  return out as Want;
}

t.ok(cases.length >= 60, `at least 60 cases (${cases.length})`);

for (const c of cases) {
  t.test(c.name, async (t) => {
    const text = textOf(c);
    if (c.error) {
      let caught: unknown;
      try {
        assertBuildable(parseDockerfile(text, { file: "Dockerfile.test" }), "Dockerfile.test");
      } catch (e) {
        caught = e;
      }
      t.ok(isInfraError(caught), "throws an InfraError");
      if (!isInfraError(caught)) return;
      t.equal(caught.code, c.error.code, "code");
      t.match(caught.summary, new RegExp(`^Dockerfile\\.test:${c.error.line}: `), "summary names file and line");
      const first = caught.diagnostics[0];
      t.same(first?.location, { file: "Dockerfile.test", line: c.error.line, column: 1 }, "diagnostic location");
      if (c.error.message) t.match(caught.summary, c.error.message, "message");
      if (c.error.count !== undefined) t.equal(caught.diagnostics.length, c.error.count, "all problems listed");
      return;
    }
    const r = parseDockerfile(text, { file: "Dockerfile.test" });
    t.same(r.buildProblems, [], "a build accepts it");
    if (c.want) {
      t.equal(r.instructions.length, c.want.length, "instruction count");
      c.want.forEach((w, i) => {
        const ins = r.instructions[i];
        if (ins) t.same(project(ins, w), w, `instruction ${i + 1}`);
      });
    }
    if (c.directives) t.same(r.directives, c.directives, "directives");
    t.same(r.diagnostics.map((d) => d.code), c.warnings ?? [], "warnings");
    for (const d of r.diagnostics) t.equal(d.severity, "warning");
  });
}
