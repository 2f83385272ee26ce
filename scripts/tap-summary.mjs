#!/usr/bin/env node
// Passes TAP through and ends with "N passed, N failed[, N skipped]": the line CI reads.
// Counts the tests each file declares (its first level of subtests, or its asserts when it has
// none); a file that fails without a failing test (a crash) counts as one failure.
import { createInterface } from "node:readline";

const rl = createInterface({ input: process.stdin });
let passed = 0, failed = 0, skipped = 0;
let fileFailed = 0, fileCounted = 0;
for await (const line of rl) {
  process.stdout.write(line + "\n");
  let m = /^    (not )?ok \d+ - .*?(# (SKIP|TODO)\b.*)?$/.exec(line);
  if (m) {
    if (m[3]) skipped++;
    else if (m[1]) { failed++; fileFailed++; }
    else passed++;
    fileCounted++;
    continue;
  }
  m = /^(not )?ok \d+ - (.*?)( # .*)?$/.exec(line);
  if (m) {
    if (m[1] && fileFailed === 0) failed++;
    else if (!m[1] && fileCounted === 0) passed++;
    fileFailed = 0;
    fileCounted = 0;
  }
}
process.stdout.write(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}\n`);
process.exitCode = failed > 0 ? 1 : 0;
