/** Manifest lists and OCI indexes, built by hand and PUT to a real docker-registry. */
import t from "tap";
import { join } from "node:path";
import { sha256 } from "../../src/providers/local-runtime/image/digest.js";
import { MEDIA } from "../../src/providers/local-runtime/image/image-types.js";
import { tarEntry } from "../../src/providers/local-runtime/image/tar-entry.js";
import { writeTar } from "../../src/providers/local-runtime/image/tar-writer.js";
import { RegistryClient } from "../../src/providers/local-runtime/registry/registry-client.js";
import { pullImage } from "../../src/providers/local-runtime/registry/pull-image.js";
import { pushImage } from "../../src/providers/local-runtime/registry/push-image.js";
import { startRegistry } from "./fixtures/registry-server.js";
import { newStore } from "./fixtures/stores.js";

t.test("an index resolves to linux/amd64, or the platform asked for", async (t) => {
  const dir = t.testdir({});
  const reg = await startRegistry(t, join(dir, "registry"));
  const authFile = join(dir, "auth.json");
  const src = await newStore(join(dir, "src"));
  const amd64 = await src.ensureBusybox();
  const arm64 = await src.addImage(
    [{ blob: writeTar([tarEntry("etc", "dir"), tarEntry("etc/arch", "file", { data: Buffer.from("arm64\n") })]), mediaType: MEDIA.ociLayer }],
    { architecture: "arm64", os: "linux", config: { Cmd: ["sh"] } },
    ["localhost/arm-only:1"],
  );
  await pushImage(src, "busybox", `${reg.host}/multi/app:amd64`, { authFile });
  await pushImage(src, "localhost/arm-only:1", `${reg.host}/multi/app:arm64`, { authFile });
  const client = new RegistryClient({ host: reg.host });
  const entry = (digest: string, size: number, architecture: string, mediaType: string) => ({ mediaType, digest, size, platform: { architecture, os: "linux" } });
  const ociIndex = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MEDIA.ociIndex,
      manifests: [
        entry(arm64.digest, (await src.getBlob(arm64.digest)).length, "arm64", MEDIA.ociManifest),
        entry(amd64.digest, (await src.getBlob(amd64.digest)).length, "amd64", MEDIA.ociManifest),
      ],
    }),
  );
  t.equal(await client.putManifest("multi/app", "oci", ociIndex, MEDIA.ociIndex), sha256(ociIndex));
  const dockerList = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: "application/vnd.docker.distribution.manifest.list.v2+json",
      manifests: [entry(amd64.digest, (await src.getBlob(amd64.digest)).length, "amd64", MEDIA.ociManifest)],
    }),
  );
  await client.putManifest("multi/app", "docker", dockerList, "application/vnd.docker.distribution.manifest.list.v2+json");
  const armOnly = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MEDIA.ociIndex, manifests: [entry(arm64.digest, (await src.getBlob(arm64.digest)).length, "arm64", MEDIA.ociManifest)] }));
  await client.putManifest("multi/app", "arm-only", armOnly, MEDIA.ociIndex);

  const dst = await newStore(join(dir, "dst"));
  const oci = await pullImage(dst, `${reg.host}/multi/app:oci`, { authFile });
  t.equal(oci.record.digest, amd64.digest, "OCI index: the amd64 manifest");
  t.equal(oci.indexDigest, sha256(ociIndex));
  t.equal(oci.record.config.architecture, "amd64");

  const byDigest = await pullImage(dst, `${reg.host}/multi/app@${sha256(ociIndex)}`, { authFile });
  t.equal(byDigest.record.digest, amd64.digest, "pinned by the index digest");
  t.same((await dst.getBlob(sha256(ociIndex))).equals(ociIndex), true, "the index bytes are kept too");

  const docker = await pullImage(dst, `${reg.host}/multi/app:docker`, { authFile });
  t.equal(docker.record.digest, amd64.digest, "Docker manifest list");

  const arm = await pullImage(dst, `${reg.host}/multi/app:oci`, { authFile, platform: { os: "linux", architecture: "arm64" } });
  t.equal(arm.record.digest, arm64.digest, "another platform on request");
  t.equal(arm.record.config.architecture, "arm64");

  await t.rejects(pullImage(dst, `${reg.host}/multi/app:arm-only`, { authFile }), {
    code: "INFRA_REGISTRY_NO_MATCHING_PLATFORM",
    message: /has no image for linux\/amd64/,
    hint: /offers: linux\/arm64/,
  });
});
