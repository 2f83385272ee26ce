// Healthcheck durations read like Go's time.ParseDuration, in nanoseconds.
import t from "tap";
import { parseGoDuration } from "../../src/providers/local-runtime/build/go-duration.js";

const ok: Array<[string, number]> = [
  ["0", 0],
  ["30s", 30e9],
  ["1m30s", 90e9],
  ["1.5h", 5400e9],
  ["250ms", 250e6],
  ["10us", 10e3],
  ["10µs", 10e3],
  ["7ns", 7],
  ["-2s", -2e9],
  [".5s", 5e8],
];
for (const [text, ns] of ok) t.equal(parseGoDuration(text), ns, text);
for (const bad of ["", "5", "s", "1d", "1m30", "1.s.", "abc", "--1s"]) t.equal(parseGoDuration(bad), undefined, `invalid: ${JSON.stringify(bad)}`);
