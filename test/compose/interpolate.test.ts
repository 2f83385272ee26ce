import t from "tap";
import { interpolate } from "../../src/compose/interpolate.js";

const env = { SET: "value", EMPTY: "", OTHER: "other" };

t.test("interpolation table", async (t) => {
  const table: Array<[string, string]> = [
    ["$SET", "value"],
    ["${SET}", "value"],
    ["pre-${SET}-post", "pre-value-post"],
    ["$SET$OTHER", "valueother"],
    ["$UNSET", ""],
    ["${UNSET}", ""],
    ["${UNSET:-default}", "default"],
    ["${EMPTY:-default}", "default"],
    ["${SET:-default}", "value"],
    ["${UNSET-default}", "default"],
    ["${EMPTY-default}", ""],
    ["${SET:+alt}", "alt"],
    ["${EMPTY:+alt}", ""],
    ["${UNSET:+alt}", ""],
    ["${EMPTY+alt}", "alt"],
    ["${UNSET+alt}", ""],
    ["${UNSET:-${OTHER}}", "other"],
    ["${UNSET:-a ${UNSET2:-b} c}", "a b c"],
    ["$$SET", "$SET"],
    ["$${SET}", "${SET}"],
    ["cost: 5$", "cost: 5$"],
    ["$ alone", "$ alone"],
    ["${SET:?must}", "value"],
    ["${EMPTY?must}", ""],
    ["no variables", "no variables"],
  ];
  for (const [input, want] of table) t.same(interpolate(input, env), { ok: true, value: want }, input);
});

t.test("errors", async (t) => {
  t.same(interpolate("${UNSET:?please set it}", env), { ok: false, variable: "UNSET", message: "required variable UNSET is missing a value: please set it" });
  t.same(interpolate("${EMPTY:?}", env), { ok: false, variable: "EMPTY", message: "required variable EMPTY is missing a value" });
  t.same(interpolate("${UNSET?no}", env), { ok: false, variable: "UNSET", message: "required variable UNSET is missing a value: no" });
  t.match(interpolate("${SET", env), { ok: false, message: /unterminated/ });
  t.match(interpolate("${-x}", env), { ok: false, message: /not a variable name/ });
  t.match(interpolate("${SET!x}", env), { ok: false, message: /unexpected "!x"/ });
});
