// Stages, FROM expansion with global ARGs, and ARG/ENV scoping inside a stage.
import t, { type Test } from "tap";
import { isInfraError } from "../../src/diag/index.js";
import { ArgEnvScope } from "../../src/providers/local-runtime/build/arg-env-scope.js";
import { parseDockerfile } from "../../src/providers/local-runtime/build/dockerfile-parser.js";
import type { DockerfileInstruction } from "../../src/providers/local-runtime/build/dockerfile-types.js";
import { findTargetStage, resolveStages } from "../../src/providers/local-runtime/build/resolve-stages.js";

const parse = (...lines: string[]) => parseDockerfile(lines.join("\n") + "\n").instructions;

/** Runs the ARG and ENV lines of one stage through a scope, as the builder will. */
function runStage(global: ArgEnvScope, instructions: readonly DockerfileInstruction[], baseEnv: Record<string, string> = {}): ArgEnvScope {
  const scope = global.stage(baseEnv);
  for (const ins of instructions) {
    if (ins.instruction === "ARG" && ins.keyValues) scope.declareArgs(ins.keyValues);
    if (ins.instruction === "ENV" && ins.keyValues) scope.applyEnv(ins.keyValues);
  }
  return scope;
}

t.test("stages get indexes, lower-cased names and their instructions", async (t) => {
  const { stages } = resolveStages(
    parse("FROM golang:1.22 AS Build", "RUN go build", "FROM alpine", "COPY --from=build /a /a", "FROM BUILD AS again", "RUN true"),
  );
  t.same(
    stages.map((s) => [s.index, s.name, s.base, s.baseStage, s.instructions.map((i) => i.instruction)]),
    [
      [0, "build", "golang:1.22", undefined, ["RUN"]],
      [1, undefined, "alpine", undefined, ["COPY"]],
      [2, "again", "BUILD", 0, ["RUN"]],
    ],
  );
  t.equal(findTargetStage(stages)?.index, 2, "last stage by default");
  t.equal(findTargetStage(stages, "BUILD")?.index, 0, "target by name, case-insensitive");
  t.equal(findTargetStage(stages, "nope"), undefined);
});

t.test("FROM only names earlier stages: `FROM node AS node` is the image", async (t) => {
  const { stages } = resolveStages(parse("FROM node AS node", "FROM node"));
  t.equal(stages[0]?.baseStage, undefined);
  t.equal(stages[1]?.baseStage, 0);
});

t.test("global ARGs expand FROM; --build-arg overrides the default", async (t) => {
  const ins = parse("ARG REG=docker.io", "ARG IMG=${REG}/library/alpine", "ARG TAG", "FROM ${IMG}:${TAG:-latest} AS base");
  t.equal(resolveStages(ins).stages[0]?.base, "docker.io/library/alpine:latest");
  const r = resolveStages(ins, { REG: "localhost:5000", TAG: "3.20" });
  t.equal(r.stages[0]?.base, "localhost:5000/library/alpine:3.20");
  t.equal(r.stages[0]?.baseName, "${IMG}:${TAG:-latest}");
  t.same(r.globalArgs, { REG: "localhost:5000", IMG: "localhost:5000/library/alpine", TAG: "3.20" });
});

t.test("builtin platform args are seen by FROM and --platform without a declaration", async (t) => {
  const { stages } = resolveStages(parse("FROM --platform=$BUILDPLATFORM golang:${TARGETARCH}"), {}, {
    builtinArgs: { BUILDPLATFORM: "linux/amd64", TARGETARCH: "amd64" },
  });
  t.equal(stages[0]?.platform, "linux/amd64");
  t.equal(stages[0]?.base, "golang:amd64");
});

t.test("a global ARG is visible in a stage only once redeclared", async (t) => {
  const ins = parse("ARG VERSION=1.0", "FROM alpine", "RUN echo", "FROM alpine", "ARG VERSION", "FROM alpine", "ARG VERSION=2.0");
  const r = resolveStages(ins, {}, { builtinArgs: { TARGETARCH: "amd64" } });
  const [s0, s1, s2] = r.stages.map((s) => runStage(r.globalScope, s.instructions));
  t.equal(s0?.lookup("VERSION"), undefined, "not redeclared: unset");
  t.equal(s0?.expandWord("v=$VERSION"), "v=");
  t.equal(s0?.lookup("TARGETARCH"), undefined, "builtins need a declaration too");
  t.equal(s1?.lookup("VERSION"), "1.0", "ARG NAME inherits the global value");
  t.equal(s2?.lookup("VERSION"), "2.0", "a stage default replaces the global one");
  const withBuildArg = resolveStages(ins, { VERSION: "9" });
  t.equal(runStage(withBuildArg.globalScope, withBuildArg.stages[2]?.instructions ?? []).lookup("VERSION"), "9", "--build-arg wins over defaults");
});

t.test("declared builtin args take the builder's value", async (t) => {
  const r = resolveStages(parse("FROM alpine", "ARG TARGETARCH", "ARG TARGETOS=plan9"), {}, { builtinArgs: { TARGETARCH: "arm64", TARGETOS: "linux" } });
  const s = runStage(r.globalScope, r.stages[0]?.instructions ?? []);
  t.equal(s.lookup("TARGETARCH"), "arm64");
  t.equal(s.lookup("TARGETOS"), "plan9", "an explicit default wins over the builtin");
});

t.test("ENV overrides an ARG of the same name, before or after it", async (t) => {
  const r = resolveStages(parse("FROM alpine", "ARG A=arg", "ENV A=env", "ENV B=env", "ARG B=arg"), { A: "buildarg", B: "buildarg" });
  const s = runStage(r.globalScope, r.stages[0]?.instructions ?? []);
  t.equal(s.lookup("A"), "env");
  t.equal(s.lookup("B"), "env");
  t.same(s.envRecord(), { A: "env", B: "env" });
  t.same(s.argRecord(), { A: "buildarg", B: "buildarg" });
});

t.test("values on one ENV line see the scope before the line", async (t) => {
  const r = resolveStages(parse("FROM alpine", "ENV abc=hello", "ENV abc=bye def=$abc", "ENV ghi=$abc"));
  const s = runStage(r.globalScope, r.stages[0]?.instructions ?? []);
  t.same(s.envRecord(), { abc: "bye", def: "hello", ghi: "bye" });
});

t.test("ARG defaults use earlier ARGs and ENV, quotes are removed", async (t) => {
  const r = resolveStages(parse("FROM alpine", "ENV ROOT=/opt", 'ARG A=a B="${A}-$ROOT x"', "ARG C='$A'"));
  const s = runStage(r.globalScope, r.stages[0]?.instructions ?? []);
  t.equal(s.lookup("B"), "a-/opt x");
  t.equal(s.lookup("C"), "$A", "single quotes keep the text literal");
});

t.test("a stage starts from its base image ENV", async (t) => {
  const r = resolveStages(parse("FROM alpine", "ENV PATH=/app/bin:$PATH"));
  const s = runStage(r.globalScope, r.stages[0]?.instructions ?? [], { PATH: "/usr/bin", HOME: "/root" });
  t.same(s.envRecord(), { PATH: "/app/bin:/usr/bin", HOME: "/root" });
});

t.test("the backtick escape applies to expansion", async (t) => {
  const parsed = parseDockerfile("# escape=`\nARG DIR=c:\\tools\nFROM img:`$x${DIR}\n");
  const r = resolveStages(parsed.instructions, {}, { escapeToken: parsed.escapeToken });
  t.equal(r.stages[0]?.base, "img:$xc:\\tools");
});

function rejects(t: Test, fn: () => unknown, code: string, line: number, message: RegExp): void {
  try {
    fn();
    t.fail("expected an error");
  } catch (e) {
    t.ok(isInfraError(e));
    if (!isInfraError(e)) return;
    t.equal(e.code, code);
    t.equal(e.diagnostics[0]?.location?.line, line);
    t.match(e.summary, message);
  }
}

t.test("an empty base image is rejected with the FROM line", async (t) => {
  rejects(t, () => resolveStages(parse("ARG BASE", "FROM alpine", "FROM ${BASE}")), "INFRA_BUILD_DOCKERFILE_BASE_NAME", 3, /base name \(\$\{BASE\}\) should not be blank/);
});

t.test("a stage name used twice is rejected", async (t) => {
  rejects(t, () => resolveStages(parse("FROM a AS x", "FROM b AS X")), "INFRA_BUILD_DOCKERFILE_STAGE_NAME", 2, /duplicate stage name "x"/);
});

t.test("a bad substitution in FROM is rejected with the line", async (t) => {
  rejects(t, () => resolveStages(parse("FROM alpine", "FROM ${:x}")), "INFRA_BUILD_BAD_SUBSTITUTION", 2, /bad substitution/);
});
