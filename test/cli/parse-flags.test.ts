import t from "tap";
import { isInfraError } from "../../src/diag/infra-error.js";
import { expectPositionals, parseDuration, parseFlags, splitFlags } from "../../src/cli/parse-flags.js";

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

t.test("short flags combine as Docker's (pflag) do", async (t) => {
  const s = { all: { kind: "boolean" as const, short: "a" }, quiet: { kind: "boolean" as const, short: "q" }, publish: { kind: "list" as const, short: "p" }, name: { kind: "string" as const, short: "n" } };
  t.same(parseFlags(["-aq"], s, "ps").booleans, { all: true, quiet: true }, "-aq is -a -q");
  t.same(parseFlags(["-qa", "x"], s, "ps"), { booleans: { quiet: true, all: true }, strings: {}, lists: {}, positionals: ["x"] });
  const p = parseFlags(["-ap8080:80", "-aqp", "9090:90", "-p=1:2", "-nweb", "-a=false"], s, "run");
  t.same(p.lists, { publish: ["8080:80", "9090:90", "1:2"] }, "a value flag ends a group: its value is the rest or the next argument");
  t.same(p.strings, { name: "web" });
  t.same(p.booleans, { all: false, quiet: true }, "-a=false");
  t.throws(() => parseFlags(["-ax"], s, "ps"), { code: "INFRA_CLI_UNKNOWN_FLAG", summary: 'Unknown flag -x (in -ax) for "infra ps"' });
  t.throws(() => parseFlags(["-ap"], s, "ps"), { code: "INFRA_CLI_FLAG_VALUE_MISSING" });
  const r = splitFlags(["-itp8080:80", "-e", "A=1", "busybox", "-aq", "--rm"], { ...s, interactive: { kind: "boolean", short: "i" }, tty: { kind: "boolean", short: "t" }, env: { kind: "list", short: "e" } }, "run", true);
  t.same(r, { flags: ["--interactive", "--tty", "--publish=8080:80", "--env=A=1"], rest: ["busybox", "-aq", "--rm"] }, "run: the command after the image keeps its flags");
});
