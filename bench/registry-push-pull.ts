/**
 * Registry benchmark (issue 5, "Speed"): push and pull of a ~50 MB image (five gzip layers of
 * incompressible data) to and from a local docker-registry, infra's client against `skopeo copy`
 * (oci: layout → docker://, and back). Every run uses fresh registries and fresh destinations, so
 * each push uploads every blob and each pull downloads every blob.
 *
 *   node --import tsx bench/registry-push-pull.ts [--size-mb 50] [--runs 3] [--json FILE]
 */
import { randomBytes } from "node:crypto";
import { link, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { gzipSync } from "node:zlib";
import { ImageStore } from "../src/providers/local-runtime/image/image-store.js";
import { MEDIA } from "../src/providers/local-runtime/image/image-types.js";
import { tarEntry } from "../src/providers/local-runtime/image/tar-entry.js";
import { writeTar } from "../src/providers/local-runtime/image/tar-writer.js";
import { mustRun } from "../src/providers/local-runtime/host/run-command.js";
import { resolveLayout } from "../src/providers/local-runtime/layout.js";
import { pullImage } from "../src/providers/local-runtime/registry/pull-image.js";
import { pushImage } from "../src/providers/local-runtime/registry/push-image.js";
import { startRegistry, type TestRegistry } from "../test/registry/fixtures/registry-server.js";

interface Options {
  sizeMb: number;
  runs: number;
  json?: string;
}

function parseArgs(argv: string[]): Options {
  const o: Options = { sizeMb: 50, runs: 3 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = argv[i + 1];
    if (a === "--size-mb" && v) (o.sizeMb = Number(v)), i++;
    else if (a === "--runs" && v) (o.runs = Number(v)), i++;
    else if (a === "--json" && v) (o.json = v), i++;
    else throw new Error(`unknown argument ${a}`);
  }
  return o;
}

const LAYERS = 5;

async function newStore(dir: string): Promise<ImageStore> {
  const s = new ImageStore(resolveLayout({ root: join(dir, "root"), run: join(dir, "run") }));
  await s.init();
  return s;
}

/** The image as an OCI layout for skopeo, hard-linking the store's blobs. */
async function writeLayout(store: ImageStore, digest: string, dir: string): Promise<void> {
  const rec = await store.mustResolve(digest);
  const blobs = join(dir, "blobs", "sha256");
  await mkdir(blobs, { recursive: true });
  for (const d of [rec.digest, rec.id, ...rec.manifest.layers.map((l) => l.digest)]) await link(store.blobPath(d), join(blobs, d.slice(7)));
  const size = (await store.getBlob(rec.digest)).length;
  await writeFile(join(dir, "oci-layout"), JSON.stringify({ imageLayoutVersion: "1.0.0" }));
  await writeFile(
    join(dir, "index.json"),
    JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType: MEDIA.ociManifest, digest: rec.digest, size, annotations: { "org.opencontainers.image.ref.name": "bench" } }] }),
  );
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return (performance.now() - t0) / 1000;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  const root = await mkdtemp(join(tmpdir(), "infra-bench-registry-"));
  const stops: Array<() => unknown> = [];
  const teardown = { teardown: (fn: () => unknown) => stops.push(fn) };
  try {
    const src = await newStore(join(root, "src"));
    const perLayer = Math.round((o.sizeMb * 1024 * 1024) / LAYERS);
    const layers = [];
    for (let i = 0; i < LAYERS; i++) {
      const tar = writeTar([tarEntry("data", "dir"), tarEntry(`data/blob${i}`, "file", { data: randomBytes(perLayer) })]);
      layers.push({ blob: gzipSync(tar, { level: 1 }), mediaType: MEDIA.ociLayerGzip });
    }
    const image = await src.addImage(layers, { architecture: "amd64", os: "linux", config: { Cmd: ["sh"] } }, ["localhost/bench:1"]);
    const bytes = image.size;
    await writeLayout(src, image.digest, join(root, "layout"));
    const authFile = join(root, "no-auth.json");
    const results = { infraPush: [] as number[], infraPull: [] as number[], skopeoPush: [] as number[], skopeoPull: [] as number[] };
    for (let run = 0; run < o.runs; run++) {
      // Fresh registries: nothing to skip or mount, every blob crosses the wire.
      const ours: TestRegistry = await startRegistry(teardown, join(root, `reg-infra-${run}`));
      const theirs: TestRegistry = await startRegistry(teardown, join(root, `reg-skopeo-${run}`));
      await rm(join(src.layout.imagesDir, "blob-sources.json"), { force: true });
      results.infraPush.push(await timed(() => pushImage(src, "localhost/bench:1", `${ours.host}/bench/app:1`, { authFile })));
      const dst = await newStore(join(root, `dst-${run}`));
      results.infraPull.push(await timed(() => pullImage(dst, `${ours.host}/bench/app:1`, { authFile })));
      results.skopeoPush.push(
        await timed(() => mustRun("skopeo", ["copy", "--quiet", "--dest-tls-verify=false", `oci:${join(root, "layout")}:bench`, `docker://${theirs.host}/bench/app:1`])),
      );
      results.skopeoPull.push(
        await timed(() => mustRun("skopeo", ["copy", "--quiet", "--src-tls-verify=false", `docker://${theirs.host}/bench/app:1`, `oci:${join(root, `skopeo-out-${run}`)}:1`])),
      );
      await ours.stop();
      await theirs.stop();
      await rm(join(root, `reg-infra-${run}`), { recursive: true, force: true });
      await rm(join(root, `reg-skopeo-${run}`), { recursive: true, force: true });
      await rm(join(root, `dst-${run}`), { recursive: true, force: true });
      await rm(join(root, `skopeo-out-${run}`), { recursive: true, force: true });
    }
    const mb = bytes / 1024 / 1024;
    const row = (name: string, xs: number[]) => `| ${name} | ${median(xs).toFixed(2)} s | ${(mb / median(xs)).toFixed(0)} MB/s | ${xs.map((x) => x.toFixed(2)).join(", ")} |`;
    const skopeo = (await mustRun("skopeo", ["--version"])).trim();
    const lines = [
      `Image: ${LAYERS} gzip layers, ${mb.toFixed(1)} MB in total; ${o.runs} runs, median; ${skopeo}; docker-registry on 127.0.0.1.`,
      "",
      "| operation | median | throughput | runs |",
      "|---|---|---|---|",
      row("infra push", results.infraPush),
      row("skopeo copy oci: → docker://", results.skopeoPush),
      row("infra pull", results.infraPull),
      row("skopeo copy docker:// → oci:", results.skopeoPull),
    ];
    process.stdout.write(lines.join("\n") + "\n");
    if (o.json) await writeFile(o.json, JSON.stringify({ bytes, ...results }, null, 2));
  } finally {
    for (const s of stops.reverse()) await s();
    await rm(root, { recursive: true, force: true });
  }
}

await main();
