/** The streaming tar reader against the in-memory one, the layer stream (gzip, diff_id, limit) and the limits' configuration. */
import t from "tap";
import { execFileSync } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { sha256 } from "../../src/providers/local-runtime/image/digest.js";
import { layerStream } from "../../src/providers/local-runtime/image/layer-stream.js";
import { tarEntry } from "../../src/providers/local-runtime/image/tar-entry.js";
import { DEFAULT_TAR_LIMITS, tarLimitsFromEnv } from "../../src/providers/local-runtime/image/tar-limits.js";
import { readTar } from "../../src/providers/local-runtime/image/tar-reader.js";
import { readTarStream } from "../../src/providers/local-runtime/image/tar-stream-reader.js";
import { writeTar } from "../../src/providers/local-runtime/image/tar-writer.js";

async function* pieces(b: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < b.length; i += size) yield b.subarray(i, i + size);
}

async function streamed(src: AsyncIterable<Uint8Array>, readBodies: boolean) {
  const out: Array<{ path: string; type: string; data?: string; linkname: string; xattrs: Record<string, string> }> = [];
  for await (const { header, body } of readTarStream(src, DEFAULT_TAR_LIMITS)) {
    let data: string | undefined;
    if (readBodies && header.type === "file") {
      const chunks: Buffer[] = [];
      for await (const c of body) chunks.push(c);
      data = Buffer.concat(chunks).toString();
    }
    out.push({ path: header.path, type: header.type, linkname: header.linkname, xattrs: header.xattrs, ...(data !== undefined ? { data } : {}) });
  }
  return out;
}

t.test("the same entries as the in-memory reader, whatever the chunking; unread data is skipped", async (t) => {
  const dir = t.testdir({ src: { "a.txt": "alpha", sub: { "b.txt": "b".repeat(1500) } } });
  const src = join(dir, "src");
  const deep = join(src, "d".repeat(90), "e".repeat(90));
  await mkdir(deep, { recursive: true });
  await writeFile(join(deep, "f".repeat(80)), "deep");
  const archives = {
    ours: writeTar([tarEntry("x", "dir", { xattrs: { "user.k": "v" } }), tarEntry("x/y", "file", { data: Buffer.from("why") }), tarEntry("l", "symlink", { linkname: "x/y" })]),
    gnu: execFileSync("tar", ["--format=gnu", "-cf", "-", "-C", src, "."]),
    pax: execFileSync("tar", ["--format=pax", "-cf", "-", "-C", src, "."]),
  };
  for (const [name, tar] of Object.entries(archives)) {
    const want = [...readTar(tar)].map((e) => ({ path: e.path, type: e.type, linkname: e.linkname, xattrs: e.xattrs, ...(e.type === "file" ? { data: Buffer.from(e.data!).toString() } : {}) }));
    for (const size of [1, 7, 512, 100_000]) t.same(await streamed(pieces(tar, size), true), want, `${name}, ${size}-byte chunks`);
    t.same((await streamed(pieces(tar, 13), false)).map((e) => e.path), want.map((e) => e.path), `${name}: bodies left unread are skipped`);
  }
});

t.test("a layer stream: gzip by its magic, diff_id over every byte, the size limit", async (t) => {
  const tar = writeTar([tarEntry("f", "file", { data: Buffer.alloc(10_000, 1) })]);
  const padded = Buffer.concat([tar, Buffer.alloc(4096)]); // trailing zeros after the end marker count too
  for (const [name, stored] of [["plain", padded], ["gzip", gzipSync(padded)]] as const) {
    const l = layerStream(stored, DEFAULT_TAR_LIMITS);
    t.same((await streamed(l.bytes, true)).map((e) => e.path), ["f"], name);
    t.equal(l.diffId(), sha256(padded), `${name}: diff_id of the whole uncompressed stream`);
    t.equal(l.size(), padded.length);
  }
  const small = layerStream(gzipSync(padded), { ...DEFAULT_TAR_LIMITS, maxLayerBytes: 5000 });
  await t.rejects(streamed(small.bytes, true), { code: "INFRA_RUNTIME_TAR_LAYER_TOO_LARGE", message: /5000 \(INFRA_LAYER_MAX_BYTES\)/ });
});

t.test("limits come from the environment; a bad value is an error naming it", async (t) => {
  t.same(tarLimitsFromEnv({}), DEFAULT_TAR_LIMITS);
  t.equal(tarLimitsFromEnv({ INFRA_LAYER_MAX_DEPTH: "64" }).maxPathDepth, 64);
  for (const bad of ["0", "-1", "1e9", "lots", "1.5"]) {
    t.throws(() => tarLimitsFromEnv({ INFRA_LAYER_MAX_ENTRIES: bad }), { code: "INFRA_RUNTIME_TAR_LIMIT_INVALID", message: new RegExp(`INFRA_LAYER_MAX_ENTRIES='${bad.replace(".", "\\.")}'`) }, bad);
  }
});
