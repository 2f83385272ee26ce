/**
 * The malicious-archive corpus (malicious-archives.ts) against the real unpacker, as root, with a
 * canary directory beside every layer directory that must stay exactly as it was (names, full
 * lstat, content) after each case. Each case runs four ways: the layer as built, the layer gzip'd
 * (streamed through zlib), and loaded as a user would (`infra load -i`) from an OCI layout with
 * gzip layers and from a `docker save` archive, then unpacked by the image store as `run` does.
 * Each must be refused with its TAR_* code (at load, as the cause of the load's error; or at
 * unpack), or unpacked with the layer as the case expects.
 */
import t from "tap";
import { PassThrough, Readable } from "node:stream";
import { mkdir, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import type { CommandIO } from "../../src/cli/command.js";
import { loadCommand } from "../../src/cli/commands/load.js";
import { isProviderError } from "../../src/providers/contract.js";
import { HostHelper } from "../../src/providers/local-runtime/host/host-helper.js";
import { sha256 } from "../../src/providers/local-runtime/image/digest.js";
import { layoutTar } from "../../src/providers/local-runtime/image/image-export.js";
import { ImageStore } from "../../src/providers/local-runtime/image/image-store.js";
import { MEDIA } from "../../src/providers/local-runtime/image/image-types.js";
import { blobPath, layoutIndex, layoutMarker } from "../../src/providers/local-runtime/image/oci-layout.js";
import { extractLayer } from "../../src/providers/local-runtime/image/safe-extract.js";
import { DEFAULT_TAR_LIMITS, TAR_LIMIT_ENV, type TarLimits } from "../../src/providers/local-runtime/image/tar-limits.js";
import { resolveLayout } from "../../src/providers/local-runtime/layout.js";
import { maliciousCorpus, makeCanary, snapshotTree, type MaliciousCase } from "./malicious-archives.js";
import { rawTar } from "../image-io/fixtures.js";

const helper = HostHelper.required();
t.teardown(() => helper.close());

const isGzip = (b: Uint8Array) => b[0] === 0x1f && b[1] === 0x8b;

function uncompressedOrRaw(b: Buffer): Buffer {
  if (!isGzip(b)) return b;
  try {
    return gunzipSync(b);
  } catch {
    return b; // a damaged stream: its diff_id does not matter, it is refused first
  }
}

/** An image of one layer: config, and its OCI layout (the layer gzip'd) and docker-save archives. */
function archives(c: MaliciousCase, name: string): { oci: Buffer; docker: Buffer } {
  const gz = isGzip(c.layer) ? c.layer : gzipSync(c.layer);
  const config = (layer: Buffer) => Buffer.from(JSON.stringify({ architecture: "amd64", os: "linux", config: { Cmd: ["sh"] }, rootfs: { type: "layers", diff_ids: [sha256(uncompressedOrRaw(layer))] } }));
  const ociConfig = config(gz);
  const manifest = Buffer.from(JSON.stringify({
    schemaVersion: 2, mediaType: MEDIA.ociManifest,
    config: { mediaType: MEDIA.ociConfig, digest: sha256(ociConfig), size: ociConfig.length },
    layers: [{ mediaType: MEDIA.ociLayerGzip, digest: sha256(gz), size: gz.length }],
  }));
  const desc = { mediaType: MEDIA.ociManifest, digest: sha256(manifest), size: manifest.length };
  const oci = layoutTar([
    { path: blobPath(desc.digest), data: manifest }, { path: blobPath(sha256(ociConfig)), data: ociConfig }, { path: blobPath(sha256(gz)), data: gz },
    { path: "oci-layout", data: layoutMarker() }, { path: "index.json", data: layoutIndex([{ manifest: desc, names: [name] }]) },
  ]);
  const docker = rawTar([
    { path: "config.json", data: config(c.layer) }, { path: "layer.tar", data: c.layer },
    { path: "manifest.json", data: JSON.stringify([{ Config: "config.json", RepoTags: [name], Layers: ["layer.tar"] }]) },
  ]);
  return { oci, docker };
}

function quietIo(env: NodeJS.ProcessEnv, cwd: string): CommandIO {
  return { stdout: new PassThrough(), stderr: new PassThrough(), stdin: Readable.from([]), env, cwd, color: false };
}

type Outcome = { refused: string; at: string } | { unpacked: string };

/** What happened to one case through one path: refused (with the TAR_* code) or unpacked into a directory. */
async function attempt(fn: () => Promise<string>, at: string): Promise<Outcome> {
  try {
    return { unpacked: await fn() };
  } catch (e) {
    if (!isProviderError(e)) throw e;
    // A load refuses with its own code; the unpacker's TAR_* code is its cause.
    const cause = (e as { cause?: unknown }).cause;
    const code = e.code.startsWith("INFRA_IMAGE_") && isProviderError(cause) ? cause.code : e.code;
    return { refused: code, at: `${at}: ${e.code}: ${e.message.slice(0, 300)}` };
  }
}

t.test("every malicious archive is refused or unpacked inside its root; the canary stays as it was", async (t) => {
  const base = t.testdir({});
  const canary = join(base, "canary");
  await makeCanary(canary);
  const pristine = await snapshotTree(canary);
  const corpus = await maliciousCorpus(canary);
  t.ok(corpus.length >= 30, `${corpus.length} malicious archives`);
  const started = Date.now();
  for (const [i, c] of corpus.entries()) {
    const t0 = Date.now();
    const limits: TarLimits = { ...DEFAULT_TAR_LIMITS, ...c.limits };
    const env: NodeJS.ProcessEnv = { INFRA_ROOT: join(base, `store-${i}`, "root"), INFRA_RUN: join(base, `store-${i}`, "run") };
    for (const k of Object.keys(TAR_LIMIT_ENV) as Array<keyof TarLimits>) env[TAR_LIMIT_ENV[k]] = String(limits[k]);
    const store = new ImageStore(resolveLayout({ root: env.INFRA_ROOT!, run: env.INFRA_RUN! }), { helper, limits });
    await store.init();
    const name = `localhost/evil-${i}:1`;
    const { oci, docker } = archives(c, name);
    const extractInto = async (layer: Buffer, root: string) => {
      await mkdir(root);
      await extractLayer(layer, root, { helper, limits });
      return root;
    };
    const afterLoad = async (archive: Buffer, file: string) => {
      await writeFile(join(base, file), archive);
      await loadCommand.run(["-q", "-i", join(base, file)], quietIo(env, base));
      const [dir] = await store.layerDirs(await store.mustResolve(name));
      return dir!;
    };
    const paths: Array<[string, () => Promise<string>]> = [
      ["layer", () => extractInto(c.layer, join(base, `root-${i}`))],
      ["gzip'd layer", () => extractInto(isGzip(c.layer) ? c.layer : gzipSync(c.layer), join(base, `root-${i}-gz`))],
      ["OCI layout (gzip layers), after load", () => afterLoad(oci, `oci-${i}.tar`)],
      ["docker save, after load", () => afterLoad(docker, `docker-${i}.tar`)],
    ];
    for (const [how, fn] of paths) {
      const what = `${c.name} (${how})`;
      const got = await attempt(fn, how);
      if ("refused" in c.expect) {
        t.equal("refused" in got ? got.refused : `unpacked into ${"unpacked" in got ? got.unpacked : ""}`, c.expect.refused, `${what}: refused`, "refused" in got ? { where: got.at } : {});
      } else if ("unpacked" in got) {
        t.equal(await c.expect.unpacked(got.unpacked), undefined, `${what}: unpacked inside its root`);
      } else t.fail(`${what}: should unpack safely, was refused`, { where: got.at });
      t.equal(await snapshotTree(canary), pristine, `${what}: canary untouched`);
    }
    // A refused unpack leaves no half-made layer behind.
    const leftovers = (await readdir(store.layout.layersDir)).filter((n) => n.endsWith(".tmp"));
    t.same(leftovers, [], `${c.name}: no unpack directory left behind`);
    if (process.env.TIMING) t.comment(`${Date.now() - t0} ms ${c.name}`);
  }
  const made = (await readdir(base)).filter((n) => !/^(canary|root-\d+(-gz)?|store-\d+|(oci|docker)-\d+\.tar)$/.test(n));
  t.same(made, [], "nothing created beside the roots, stores and archives");
  t.comment(`${corpus.length} cases x 4 paths in ${Date.now() - started} ms`);
});
