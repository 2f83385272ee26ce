import t from "tap";
import { isInfraError } from "../../src/diag/infra-error.js";
import { expectPositionals, parseDuration, parseFlags } from "../../src/cli/parse-flags.js";

const specs = { out: { kind: "string" as const }, refresh: { kind: "boolean" as const }, target: { kind: "list" as const }, yes: { kind: "boolean" as const, short: "y" } };

t.test("spellings", async (t) => {
  const p = parseFlags(["--out", "a.plan", "--refresh=false", "--target", "container.a", "--target=container.b", "-y", "pos", "--", "--not-a-flag"], specs, "plan");
  t.same(p.strings, { out: "a.plan" });
  t.same(p.booleans, { refresh: false, yes: true });
  t.same(p.lists, { target: ["container.a", "container.b"] });
  t.same(p.positionals, ["pos", "--not-a-flag"]);
  t.same(parseFlags(["--no-refresh"], specs, "plan").booleans, { refresh: false });
});

t.test("errors name the flag", async (t) => {
  const codeOf = (f: () => unknown): string | undefined => {
    try {
      f();
    } catch (e) {
      return isInfraError(e) ? `${e.code}: ${e.summary}` : String(e);
    }
    return undefined;
  };
  t.equal(codeOf(() => parseFlags(["--bogus"], specs, "plan")), 'INFRA_CLI_UNKNOWN_FLAG: Unknown flag --bogus for "infra plan"');
  t.equal(codeOf(() => parseFlags(["-x"], specs, "plan")), 'INFRA_CLI_UNKNOWN_FLAG: Unknown flag -x for "infra plan"');
  t.equal(codeOf(() => parseFlags(["--out"], specs, "plan")), "INFRA_CLI_FLAG_VALUE_MISSING: Flag --out needs a value");
  t.equal(codeOf(() => parseFlags(["--refresh=maybe"], specs, "plan")), 'INFRA_CLI_FLAG_VALUE_INVALID: Flag --refresh=maybe takes true or false, not "maybe"');
  t.equal(codeOf(() => expectPositionals(parseFlags(["a", "b"], specs, "apply"), 0, 1, "apply")), 'INFRA_CLI_ARGUMENT_UNEXPECTED: Unexpected argument "b" for "infra apply"');
  t.equal(codeOf(() => parseDuration("soon", "--lock-timeout", "plan"))?.split(":")[0], "INFRA_CLI_FLAG_VALUE_INVALID");
});

t.test("durations", async (t) => {
  t.equal(parseDuration("30s", "--lock-timeout", "plan"), 30_000);
  t.equal(parseDuration("2m", "--lock-timeout", "plan"), 120_000);
  t.equal(parseDuration("500ms", "--lock-timeout", "plan"), 500);
  t.equal(parseDuration("0", "--lock-timeout", "plan"), 0);
});
