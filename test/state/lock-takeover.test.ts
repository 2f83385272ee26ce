import t from "tap";
import { readdir, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { acquireFileLock } from "../../src/state/file-lock.js";
import { spawnTs, waitExit, waitForLine } from "./fixtures/spawn-tsx.js";

const fixtures = join(fileURLToPath(new URL(".", import.meta.url)), "fixtures");

/** The pid of a process that has exited: a lock naming it is stale. */
async function deadPid(): Promise<number> {
  const child = spawnTs(join(fixtures, "hold-lock.ts"), ["/nonexistent-dir-for-dead-pid", "x", "0"]);
  await waitExit(child);
  return child.pid!;
}

const staleLock = (pid: number, id: string) => JSON.stringify({ id, pid, host: hostname(), command: "infra apply (dead)", createdAt: new Date(0).toISOString() });

t.test("many takers of one stale lock in one process: exactly one wins each round", async (t) => {
  const dir = t.testdir();
  const pid = await deadPid();
  for (let round = 0; round < 25; round++) {
    const path = join(dir, `r${round}.lock`);
    await writeFile(path, staleLock(pid, `stale-${round}`));
    const takers = Array.from({ length: 6 }, () =>
      acquireFileLock(path, { pid: process.pid, host: hostname(), command: "taker" }, 0, { pollMs: 5 }).then(
        (l) => l,
        (e: { code?: string }) => e.code,
      ),
    );
    const results = await Promise.all(takers);
    const winners = results.filter((r) => typeof r === "object");
    t.equal(winners.length, 1, `round ${round}: one winner`);
    t.same(results.filter((r) => typeof r !== "object"), Array(5).fill("INFRA_STATE_LOCKED"), "the others are told it is locked");
    for (const w of winners) if (typeof w === "object") await w.release();
  }
  t.same(await readdir(dir), [], "no lock, claim or temp file is left");
});

t.test("the same race with every file system call slowed down at random", async (t) => {
  const fs = await import("node:fs/promises");
  let seed = 7;
  const jitter = () => new Promise((r) => setTimeout(r, (seed = (seed * 1103515245 + 12345) % 2 ** 31) % 4));
  const slowed: Record<string, unknown> = {};
  for (const [k, f] of Object.entries(fs)) {
    slowed[k] = typeof f === "function" ? async (...a: unknown[]) => (await jitter(), (f as (...x: unknown[]) => unknown)(...a)) : f;
  }
  const { acquireFileLock: acquire } = await t.mockImport<typeof import("../../src/state/file-lock.js")>("../../src/state/file-lock.js", { "node:fs/promises": slowed });
  const dir = t.testdir();
  const pid = await deadPid();
  let doubleWins = 0;
  for (let round = 0; round < 20; round++) {
    const path = join(dir, `r${round}.lock`);
    await writeFile(path, staleLock(pid, `stale-${round}`));
    const results = await Promise.all(
      Array.from({ length: 5 }, () => acquire(path, { pid: process.pid, host: hostname(), command: "taker" }, 0, { pollMs: 5 }).catch((e: { code?: string }) => e.code)),
    );
    const winners = results.filter((r) => typeof r === "object");
    if (winners.length !== 1) doubleWins++;
    t.equal(winners.length, 1, `round ${round}: one winner`);
    for (const w of winners) if (typeof w === "object") await w.release();
  }
  t.equal(doubleWins, 0);
});

t.test("processes racing to take over the same stale lock: exactly one wins each round", async (t) => {
  const dir = t.testdir();
  const pid = await deadPid();
  const rounds = 6;
  for (let i = 0; i < rounds; i++) await writeFile(join(dir, `race${i}.lock`), staleLock(pid, `stale-${i}`));
  const children = [0, 1, 2].map(() => spawnTs(join(fixtures, "race-lock.ts"), [dir, String(rounds), "400"], { stdin: true }));
  t.teardown(() => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  });
  const outputs = children.map((c) => {
    let out = "";
    c.stdout?.on("data", (d: Buffer) => (out += d.toString()));
    return () => out;
  });
  await Promise.all(children.map((c) => waitForLine(c, "ready", 60000)));
  const startAt = Date.now() + 300;
  for (const c of children) c.stdin?.end(`${startAt}\n`);
  t.same(await Promise.all(children.map(waitExit)), [0, 0, 0]);
  for (let i = 0; i < rounds; i++) {
    const lines = outputs.flatMap((o) => o().split("\n")).filter((l) => l.startsWith(`round ${i} `));
    t.equal(lines.length, 3, `round ${i}: every child reported`);
    const won = lines.filter((l) => / won /.test(l)).map((l) => l.split(" ").slice(3).map(Number) as [number, number, number]);
    const lost = lines.filter((l) => / lost /.test(l)).map((l) => l.split(" ").slice(3));
    t.ok(won.length >= 1, `round ${i}: someone took the stale lock`, { lines });
    t.same(lost.map((l) => l[1]), Array(lost.length).fill("INFRA_STATE_LOCKED"), `round ${i}: the others were told it is locked`);
    // A child the loaded machine started after the winner let go may win too; two holders at once never.
    won.sort((a, b) => a[1] - b[1]);
    for (let k = 1; k < won.length; k++) t.ok(won[k]![1] >= won[k - 1]![2], `round ${i}: holders one after the other`, { lines });
    const first = won[0]!;
    const racers = [...won.map((w) => w[0]), ...lost.map((l) => Number(l[0]))].filter((tried) => tried < first[2]);
    t.equal(won.filter((w) => w[0] < first[2]).length, 1, `round ${i}: of the ${racers.length} that raced, exactly one won`, { lines });
  }
  t.same(await readdir(dir), [], "every lock was released; no claim or temp file is left");
});
