/**
 * Layer unpack memory (issue 11, part 6): an OCI layout whose one gzip layer uncompresses to
 * `--mb` MiB of zeros, loaded and unpacked (as `infra load -i` then `run` do) in a fresh process per
 * run; prints the process's RSS before the work, its peak, and the time. `--code DIR` (repeatable)
 * compares other checkouts' src/ trees (e.g. one from `git archive <commit> src`), default this one.
 *
 *   node --import tsx bench/layer-unpack-rss.ts [--mb 400] [--runs 1] [--code DIR]...
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { measureUnpack, SRC, writeBombArchive } from "../test/local-runtime/unpack-memory.js";

let mb = 400;
let runs = 1;
const codes: string[] = [];
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const [a, v] = [argv[i], argv[i + 1]];
  if (a === "--mb" && v) (mb = Number(v)), i++;
  else if (a === "--runs" && v) (runs = Number(v)), i++;
  else if (a === "--code" && v) codes.push(v), i++;
  else throw new Error(`unknown argument ${a}`);
}
if (codes.length === 0) codes.push(SRC);

const dir = await mkdtemp(join(tmpdir(), "infra-bench-unpack-"));
try {
  const archive = join(dir, "bomb.tar");
  await writeBombArchive(archive, mb);
  const mib = (n: number) => (n / 2 ** 20).toFixed(0).padStart(6);
  console.log(`${mb} MiB gzip bomb, load + unpack\n${"code".padEnd(40)} ${"before".padStart(6)} ${"peak".padStart(6)} ${"grew".padStart(6)}  ms`);
  for (const code of codes) {
    for (let r = 0; r < runs; r++) {
      const work = await mkdtemp(join(dir, "run-"));
      const m = await measureUnpack(code, archive, work);
      console.log(`${code.slice(-40).padEnd(40)} ${mib(m.before)} ${mib(m.peak)} ${mib(m.peak - m.before)}  ${m.ms}${m.refused ? `  refused: ${m.refused}` : ""}`);
      await rm(work, { recursive: true, force: true });
    }
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}
