/**
 * Builds: a cached rebuild of a 10-step Dockerfile (in process, and `infra build` as a command
 * including Node start-up), and an uncached build of 5 RUN steps on busybox. Runs as root in a
 * temp root and removes everything. Usage: npx tsx bench/build-cache.ts [N]
 */
import { spawnSync } from "node:child_process";
import { mkdtemp, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { buildImage } from "../src/providers/local-runtime/build/build-image.js";
import { removeCgroupParent } from "../src/providers/local-runtime/container/cgroups.js";
import { ImageStore } from "../src/providers/local-runtime/image/image-store.js";
import { resolveLayout } from "../src/providers/local-runtime/layout.js";

const N = Number(process.argv[2] ?? 11);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const dir = await mkdtemp(join(tmpdir(), "infra-bench-build-"));
const layout = resolveLayout({ root: join(dir, "root"), run: join(dir, "run") });
const main = fileURLToPath(new URL("../src/cli/main.ts", import.meta.url));
try {
  const store = new ImageStore(layout);
  await store.init();
  const ctx = join(dir, "ctx");
  await mkdir(join(ctx, "src"), { recursive: true });
  for (let i = 0; i < 20; i++) await writeFile(join(ctx, "src", `f${i}.txt`), `file ${i}\n`.repeat(100));
  await writeFile(join(ctx, "config.ini"), "[app]\nmode=prod\n");
  await writeFile(join(ctx, "Dockerfile10"), [
    "FROM busybox", "ENV APP=/app MODE=prod", "WORKDIR /app", "RUN mkdir -p /app/data && echo built > /app/data/stamp",
    "COPY config.ini /etc/app.ini", "COPY src/ ./src/", "RUN ls src | wc -l > count", "EXPOSE 8080", "USER www-data", 'CMD ["httpd", "-f", "-p", "8080"]',
  ].join("\n") + "\n");
  await writeFile(join(ctx, "Dockerfile5run"), ["FROM busybox", ...[1, 2, 3, 4, 5].map((i) => `RUN echo step ${i} > /step${i} && ls / > /dev/null`)].join("\n") + "\n");

  const opts = { contextDir: ctx, dockerfile: "Dockerfile10", tags: ["bench:10"] };
  await buildImage(store, opts); // fills the cache
  const inProc: number[] = [];
  for (let i = 0; i < N; i++) {
    const t0 = process.hrtime.bigint();
    const r = await buildImage(store, opts);
    inProc.push(Number(process.hrtime.bigint() - t0) / 1e6);
    if (r.ran !== 0) throw new Error("expected a fully cached rebuild");
  }
  const cli: number[] = [];
  const env = { ...process.env, INFRA_ROOT: layout.root, INFRA_RUN: layout.run };
  for (let i = 0; i < Math.min(N, 7); i++) {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(process.execPath, ["--import", "tsx", main, "build", "-q", "-f", "Dockerfile10", "-t", "bench:10", ctx], { env, encoding: "utf8" });
    cli.push(Number(process.hrtime.bigint() - t0) / 1e6);
    if (r.status !== 0) throw new Error(r.stderr);
  }
  const uncached: number[] = [];
  for (let i = 0; i < Math.min(N, 5); i++) {
    const t0 = process.hrtime.bigint();
    await buildImage(store, { contextDir: ctx, dockerfile: "Dockerfile5run", tags: ["bench:5run"], noCache: true });
    uncached.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  const fmt = (xs: number[]) => `${median(xs).toFixed(0)} ms (runs: ${xs.map((x) => x.toFixed(0)).join(", ")})`;
  console.log(`cached rebuild, 10 steps, in process: ${fmt(inProc)}`);
  console.log(`cached rebuild, 10 steps, infra build (node + tsx start-up included): ${fmt(cli)}`);
  console.log(`uncached build, 5 RUN steps on busybox: ${fmt(uncached)}`);
} finally {
  await removeCgroupParent(layout.cgroupParent, await readFile("/proc/self/cgroup", "utf8"));
  await rm(dir, { recursive: true, force: true });
}
