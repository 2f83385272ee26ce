/**
 * One load and unpack in a fresh process, as `infra load -i` and then the engine's `run` do:
 * import the archive into a store, unpack its layers, and print one JSON line with the process's
 * resident memory before the work and its peak (getrusage maxrss). infra is imported from
 * `codeRoot` (this tree's src/, or another checkout's, to compare), so nothing else is loaded.
 *
 * Usage: node --import tsx unpack-memory-child.ts CODE_ROOT ARCHIVE STORE_DIR
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type * as ImageStoreModule from "../../src/providers/local-runtime/image/image-store.js";
import type * as ImportModule from "../../src/providers/local-runtime/image/image-import.js";
import type * as LayoutModule from "../../src/providers/local-runtime/layout.js";

export interface ChildReport {
  /** RSS once everything is loaded, before the work (bytes). */
  before: number;
  /** Peak RSS of the process (bytes). */
  peak: number;
  ms: number;
  /** The error's code when the load or unpack was refused, and its cause's. */
  refused?: string;
  cause?: string;
}

const [codeRoot, archive, storeDir] = process.argv.slice(2);
if (codeRoot === undefined || archive === undefined || storeDir === undefined) throw new Error("usage: unpack-memory-child.ts CODE_ROOT ARCHIVE STORE_DIR");
const load = <T>(rel: string) => import(pathToFileURL(join(codeRoot, rel)).href) as Promise<T>;
const { ImageStore } = await load<typeof ImageStoreModule>("providers/local-runtime/image/image-store.js");
const { importImageArchive } = await load<typeof ImportModule>("providers/local-runtime/image/image-import.js");
const { resolveLayout } = await load<typeof LayoutModule>("providers/local-runtime/layout.js");

const store = new ImageStore(resolveLayout({ root: join(storeDir, "root"), run: join(storeDir, "run") }));
await store.init();
const before = process.memoryUsage().rss;
const started = performance.now();
const report: ChildReport = { before, peak: 0, ms: 0 };
try {
  const r = await importImageArchive(store, archive);
  await store.layerDirs(await store.mustResolve(r.images[0]!.names[0]!));
} catch (e) {
  report.refused = (e as { code?: string }).code ?? String(e);
  const cause = (e as { cause?: { code?: string } }).cause;
  if (cause?.code !== undefined) report.cause = cause.code;
}
report.ms = Math.round(performance.now() - started);
report.peak = process.resourceUsage().maxRSS * 1024;
(store as { close?: () => void }).close?.();
process.stdout.write(`${JSON.stringify(report)}\n`);
