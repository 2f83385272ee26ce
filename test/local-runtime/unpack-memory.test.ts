/**
 * A gzip bomb loaded (`infra load -i`) and unpacked (the engine's `run`) in a child process: its
 * peak memory must not grow with the layer (the whole-layer reader took ~950 MB for 400 MB, see
 * bench/layer-unpack-rss.ts), and over INFRA_LAYER_MAX_BYTES the same archive is refused. The
 * bomb is 256 MiB; INFRA_TEST_BOMB_MB asks for another size.
 */
import t from "tap";
import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { measureUnpack, SRC, writeBombArchive } from "./unpack-memory.js";

const MB = Number(process.env.INFRA_TEST_BOMB_MB ?? 256);
/** What the child may grow by: buffers and zlib's window, never the layer. */
const BOUND = 96 * 1024 * 1024;

async function findFile(dir: string, name: string): Promise<string | undefined> {
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isFile() && e.name === name) return p;
    if (e.isDirectory()) {
      const found = await findFile(p, name);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

t.test(`a ${MB} MiB gzip bomb loads and unpacks in bounded memory; over the limit it is refused`, async (t) => {
  const dir = t.testdir({ ok: {}, limited: {} });
  const archive = join(dir, "bomb.tar");
  await writeBombArchive(archive, MB);
  t.ok((await stat(archive)).size < (MB * 1024 * 1024) / 100, "the archive is a bomb (over 100:1)");

  const r = await measureUnpack(SRC, archive, join(dir, "ok"));
  t.equal(r.refused, undefined, "under the default limit it loads and unpacks");
  const growth = r.peak - r.before;
  t.ok(growth < BOUND, `peak memory grew by ${(growth / 2 ** 20).toFixed(0)} MiB for a ${MB} MiB layer (bound ${BOUND / 2 ** 20} MiB)`);
  const bomb = await findFile(join(dir, "ok"), "bomb");
  t.equal(bomb === undefined ? -1 : (await stat(bomb)).size, MB * 1024 * 1024, "the layer's file was written whole");
  t.comment(`${MB} MiB bomb: rss before ${(r.before / 2 ** 20).toFixed(0)} MiB, peak ${(r.peak / 2 ** 20).toFixed(0)} MiB, ${r.ms} ms`);

  const limited = await measureUnpack(SRC, archive, join(dir, "limited"), { INFRA_LAYER_MAX_BYTES: String(32 * 1024 * 1024) });
  t.same([limited.refused, limited.cause], ["INFRA_IMAGE_LAYER_UNSAFE", "INFRA_RUNTIME_TAR_LAYER_TOO_LARGE"], "over INFRA_LAYER_MAX_BYTES the load is refused");
  t.ok(limited.peak - limited.before < BOUND, `refused within bounded memory (${((limited.peak - limited.before) / 2 ** 20).toFixed(0)} MiB)`);
  t.equal(await findFile(join(dir, "limited"), "bomb"), undefined, "nothing of it unpacked");
});
