// Variable substitution and unquoting as Docker's shell lexer does it.
import t from "tap";
import { isInfraError } from "../../src/diag/index.js";
import {
  expandWord,
  expandWords,
  expandWordWithMatches,
  unquoteWord,
} from "../../src/providers/local-runtime/build/variable-expansion.js";

const env = {
  PWD: "/home",
  EMPTY: "",
  LIST: "x  y",
  FILE: "a.tar.gz",
  S: "foo boo",
};

interface Case {
  in: string;
  out?: string;
  words?: string[];
  error?: { code: string; message: RegExp };
  escapeToken?: "\\" | "`";
}

const B = "\\";
const cases: Case[] = [
  { in: "hello", out: "hello" },
  { in: "he'll'o", out: "hello" },
  { in: 'he"ll"o', out: "hello" },
  { in: `he${B}'llo`, out: "he'llo" },
  { in: `abc${B}${B}def`, out: `abc${B}def` },
  { in: `"abc${B}${B}def"`, out: `abc${B}def` },
  { in: `"a ${B}"q${B}" ${B}$x"`, out: 'a "q" $x' },
  { in: `"keep ${B}n"`, out: `keep ${B}n` },
  { in: `'abc${B}${B}def'`, out: `abc${B}${B}def` },
  { in: `hello${B}`, out: "hello" },
  { in: "$PWD", out: "/home" },
  { in: "${PWD}", out: "/home" },
  { in: "$PWD/bin", out: "/home/bin" },
  { in: "${PWD}x", out: "/homex" },
  { in: "$PWDx", out: "" },
  { in: `${B}$PWD`, out: "$PWD" },
  { in: `"${B}$PWD"`, out: "$PWD" },
  { in: "'$PWD'", out: "$PWD" },
  { in: '"$PWD is home"', out: "/home is home" },
  { in: "$", out: "$" },
  { in: "a$", out: "a$" },
  { in: "$1", out: "" },
  { in: "${UNSET:-def}", out: "def" },
  { in: "${EMPTY:-def}", out: "def" },
  { in: "${EMPTY-def}", out: "" },
  { in: "${UNSET-def}", out: "def" },
  { in: "${PWD:-def}", out: "/home" },
  { in: "${PWD:+alt}", out: "alt" },
  { in: "${EMPTY:+alt}", out: "" },
  { in: "${EMPTY+alt}", out: "alt" },
  { in: "${UNSET+alt}", out: "" },
  { in: "${UNSET:-$PWD/x}", out: "/home/x" },
  { in: '${UNSET:-"a  b"}', out: "a  b" },
  { in: "${EMPTY?}", out: "" },
  { in: "${PWD:?}", out: "/home" },
  { in: "${FILE%.*}", out: "a.tar" },
  { in: "${FILE%%.*}", out: "a" },
  { in: "${FILE#*.}", out: "tar.gz" },
  { in: "${FILE##*.}", out: "gz" },
  { in: "${FILE%.zip}", out: "a.tar.gz" },
  { in: "${S/o/0}", out: "f0o boo" },
  { in: "${S//o/0}", out: "f00 b00" },
  { in: "c:\\dir`$PWD `'", out: "c:\\dir$PWD '", escapeToken: "`" },
  { in: "c:\\dir$PWD", out: "c:\\dir/home", escapeToken: "`" },
  // Word splitting: expanded whitespace splits, quoted whitespace does not.
  { in: "a $LIST b", words: ["a", "x", "y", "b"] },
  { in: '"a $LIST" b', words: ["a x  y", "b"] },
  { in: "'a b'  c\td", words: ["a b", "c", "d"] },
  { in: "$EMPTY", words: [] },
  // Errors
  { in: "${UNSET:?must be set}", error: { code: "INFRA_BUILD_VARIABLE_REQUIRED", message: /UNSET: must be set/ } },
  { in: "${UNSET?}", error: { code: "INFRA_BUILD_VARIABLE_REQUIRED", message: /UNSET: is not allowed to be unset/ } },
  { in: "${EMPTY:?}", error: { code: "INFRA_BUILD_VARIABLE_REQUIRED", message: /EMPTY: is not allowed to be empty/ } },
  { in: "he'llo", error: { code: "INFRA_BUILD_UNTERMINATED_QUOTE", message: /single-quote/ } },
  { in: '"hello', error: { code: "INFRA_BUILD_UNTERMINATED_QUOTE", message: /double-quote/ } },
  { in: `"hello${B}"`, error: { code: "INFRA_BUILD_UNTERMINATED_QUOTE", message: /double-quote/ } },
  { in: "${}", error: { code: "INFRA_BUILD_BAD_SUBSTITUTION", message: /bad substitution/ } },
  { in: "${:-x}", error: { code: "INFRA_BUILD_BAD_SUBSTITUTION", message: /bad substitution/ } },
  { in: "${PWD", error: { code: "INFRA_BUILD_BAD_SUBSTITUTION", message: /missing '}'/ } },
  { in: "${PWD:-x", error: { code: "INFRA_BUILD_BAD_SUBSTITUTION", message: /missing '}'/ } },
  { in: "${PWD!}", error: { code: "INFRA_BUILD_BAD_SUBSTITUTION", message: /unsupported modifier \(!\)/ } },
  { in: "${PWD:%x}", error: { code: "INFRA_BUILD_BAD_SUBSTITUTION", message: /unsupported modifier \(:%\)/ } },
];

t.ok(cases.length >= 30, `at least 30 cases (${cases.length})`);

for (const c of cases) {
  t.test(JSON.stringify(c.in), async (t) => {
    const opts = c.escapeToken ? { escapeToken: c.escapeToken } : {};
    if (c.error) {
      let caught: unknown;
      try {
        expandWord(c.in, env, opts);
      } catch (e) {
        caught = e;
      }
      t.ok(isInfraError(caught), "throws an InfraError");
      if (!isInfraError(caught)) return;
      t.equal(caught.code, c.error.code);
      t.match(caught.summary, c.error.message);
      t.ok(caught.hint, "has a hint");
      return;
    }
    if (c.out !== undefined) t.equal(expandWord(c.in, env, opts), c.out);
    if (c.words !== undefined) t.same(expandWords(c.in, env, opts), c.words);
  });
}

t.test("env can be a Map or a function", async (t) => {
  t.equal(expandWord("$A-$B", new Map([["A", "1"]])), "1-");
  t.equal(expandWord("${A:-z}", (n) => (n === "A" ? "fn" : undefined)), "fn");
});

t.test("skipUnset leaves unset references as written", async (t) => {
  t.equal(expandWord("$UNSET ${UNSET} ${UNSET:-x} $PWD", env, { skipUnset: true }), "$UNSET ${UNSET} ${UNSET:-x} /home");
});

t.test("matches report used and unset variables", async (t) => {
  const r = expandWordWithMatches("$PWD ${NOPE:-x} $EMPTY", env);
  t.equal(r.word, "/home x ");
  t.same(r.matched.sort(), ["EMPTY", "PWD"]);
  t.same(r.unmatched, ["NOPE"]);
});

t.test("unquoteWord removes quotes and escapes but expands nothing", async (t) => {
  t.equal(unquoteWord(`"$HOME/x" '$Y' a${B} b`), "$HOME/x $Y a b");
  t.equal(unquoteWord("${A:-'q'}"), "${A:-q}");
  t.equal(unquoteWord("a` b", "`"), "a b");
});
