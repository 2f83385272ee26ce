/** Registry failures say what happened and what to do, and a failed pull stores nothing. */
import t from "tap";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { sha256 } from "../../src/providers/local-runtime/image/digest.js";
import { MEDIA } from "../../src/providers/local-runtime/image/image-types.js";
import { pullImage } from "../../src/providers/local-runtime/registry/pull-image.js";
import { pushImage } from "../../src/providers/local-runtime/registry/push-image.js";
import { RegistryClient } from "../../src/providers/local-runtime/registry/registry-client.js";
import { freePort, startRegistry } from "./fixtures/registry-server.js";
import { newStore } from "./fixtures/stores.js";

t.test("404: unknown repository, unknown tag", async (t) => {
  const dir = t.testdir({});
  const reg = await startRegistry(t, join(dir, "registry"));
  const authFile = join(dir, "auth.json");
  const store = await newStore(join(dir, "store"));
  await store.ensureBusybox();
  await pushImage(store, "busybox", `${reg.host}/app:1`, { authFile });
  await t.rejects(pullImage(store, `${reg.host}/nothing/here:1`, { authFile }), {
    code: "INFRA_REGISTRY_NOT_FOUND",
    category: "NotFound",
    message: new RegExp(`^manifest nothing/here:1 not found on registry ${reg.host}`),
    hint: /check the repository name and tag/,
  });
  await t.rejects(pullImage(store, `${reg.host}/app:2`, { authFile }), { code: "INFRA_REGISTRY_NOT_FOUND", message: `manifest app:2 not found on registry ${reg.host}` });
  await t.rejects(pushImage(store, "localhost/none:1", `${reg.host}/app:1`, { authFile }), { code: "INFRA_RUNTIME_IMAGE_NOT_FOUND" });
});

t.test("unreachable registry: names host and port", async (t) => {
  const dir = t.testdir({});
  const port = await freePort();
  const store = await newStore(dir);
  await t.rejects(pullImage(store, `127.0.0.1:${port}/app:1`, { authFile: join(dir, "a.json") }), {
    code: "INFRA_REGISTRY_UNREACHABLE",
    category: "Unavailable",
    message: new RegExp(`cannot reach registry 127\\.0\\.0\\.1:${port} at http://127\\.0\\.0\\.1:${port}: ECONNREFUSED`),
    hint: /check the host and port/,
  });
});

/** A registry that serves a valid manifest whose blobs are wrong in the ways given. */
async function fakeRegistry(t: { teardown(fn: () => unknown): void }, blobs: Record<string, Buffer>, manifest: Buffer, headerDigest?: string) {
  const seen: string[] = [];
  const server = createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    const url = req.url ?? "/";
    if (url === "/v2/") return void res.writeHead(200).end("{}");
    if (url.startsWith("/v2/bad/manifests/")) {
      res.writeHead(200, { "content-type": MEDIA.ociManifest, "docker-content-digest": headerDigest ?? sha256(manifest) });
      return void res.end(manifest);
    }
    const m = /^\/v2\/bad\/blobs\/(sha256:[0-9a-f]{64})$/.exec(url);
    const body = m ? blobs[m[1]!] : undefined;
    if (body) return void res.writeHead(200, { "content-type": "application/octet-stream" }).end(body);
    res.writeHead(404, { "content-type": "application/json" }).end('{"errors":[{"code":"BLOB_UNKNOWN"}]}');
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  t.teardown(() => new Promise<void>((r) => server.close(() => r())));
  return { host: `127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

t.test("digest mismatch: a tampered blob is refused and nothing is stored", async (t) => {
  const dir = t.testdir({});
  const config = Buffer.from(JSON.stringify({ architecture: "amd64", os: "linux", rootfs: { type: "layers", diff_ids: [sha256("layer")] } }));
  const layer = Buffer.from("layer");
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MEDIA.ociManifest,
      config: { mediaType: MEDIA.ociConfig, digest: sha256(config), size: config.length },
      layers: [{ mediaType: MEDIA.ociLayer, digest: sha256(layer), size: layer.length }],
    }),
  );
  const tampered = Buffer.from("LAYER");
  const fake = await fakeRegistry(t, { [sha256(config)]: config, [sha256(layer)]: tampered }, manifest);
  const store = await newStore(dir);
  await t.rejects(pullImage(store, `${fake.host}/bad:1`, { authFile: join(dir, "a.json") }), {
    code: "INFRA_REGISTRY_DIGEST_MISMATCH",
    message: `layer 1 of ${fake.host}/bad:1 from ${fake.host} has digest ${sha256(tampered)}, expected ${sha256(layer)}; nothing was stored`,
  });
  t.equal(existsSync(store.blobPath(sha256(layer))), false, "the bad layer is not a blob");
  t.same(readdirSync(store.layout.blobsDir).filter((f) => f.endsWith(".part")), [], "no partial files");
  t.equal(await store.resolve(`${fake.host}/bad:1`), undefined, "the name was not written");
  t.equal(existsSync(store.blobPath(sha256(manifest))), false, "the manifest was not stored");

  const longer = await fakeRegistry(t, { [sha256(config)]: config, [sha256(layer)]: Buffer.concat([layer, Buffer.from("x")]) }, manifest);
  await t.rejects(pullImage(store, `${longer.host}/bad:1`, { authFile: join(dir, "a.json") }), { code: "INFRA_REGISTRY_DIGEST_MISMATCH", message: /larger than its descriptor/ });

  const lying = await fakeRegistry(t, {}, manifest, sha256("something else"));
  await t.rejects(pullImage(store, `${lying.host}/bad:1`, { authFile: join(dir, "a.json") }), { code: "INFRA_REGISTRY_DIGEST_MISMATCH", message: /manifest bad:1 from .* has digest/ });
  t.same(lying.seen.filter((s) => s.includes("/blobs/")), [], "no blob fetched after a bad manifest");

  const pinned = await fakeRegistry(t, {}, manifest);
  const wrong = `sha256:${"0".repeat(64)}`;
  await t.rejects(pullImage(store, `${pinned.host}/bad@${wrong}`, { authFile: join(dir, "a.json") }), { code: "INFRA_REGISTRY_DIGEST_MISMATCH", message: new RegExp(`expected ${wrong}`) });
});

t.test("plain HTTP only for loopback names or registries configured insecure", async (t) => {
  // 127.0.0.2 is loopback to the kernel but not a name infra trusts with plain HTTP.
  const server = createServer((_req, res) => void res.writeHead(200, { "content-type": "application/json" }).end("{}"));
  await new Promise<void>((r) => server.listen(0, "127.0.0.2", r));
  t.teardown(() => new Promise<void>((r) => server.close(() => r())));
  const host = `127.0.0.2:${(server.address() as AddressInfo).port}`;
  await t.rejects(new RegistryClient({ host }).ping(), {
    code: "INFRA_REGISTRY_UNREACHABLE",
    message: new RegExp(`cannot reach registry ${host} at https://${host}`),
    hint: `if ${host} serves plain HTTP, list it under "insecure-registries" in the engine settings (docs/engine-config.md)`,
  });
  await new RegistryClient({ host, config: { insecure: [host], search: [] } }).ping();
});
