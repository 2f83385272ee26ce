/** The pure parts: names from annotations, repository from a file name, synthesised manifests, index and manifest.json. */
import t from "tap";
import { sha256 } from "../../src/providers/local-runtime/image/digest.js";
import { dockerManifestJson, parseDockerManifest, synthesiseManifest } from "../../src/providers/local-runtime/image/docker-archive.js";
import { assignNames } from "../../src/providers/local-runtime/image/image-import.js";
import { MEDIA } from "../../src/providers/local-runtime/image/image-types.js";
import { checkLayoutFile, layoutIndex, nameFromAnnotations } from "../../src/providers/local-runtime/image/oci-layout.js";
import { repoFromPath, type ArchiveImage } from "../../src/providers/local-runtime/image/read-image-archive.js";

const D = (c: string) => `sha256:${c.repeat(64)}`;

t.test("names from index annotations", async (t) => {
  t.equal(nameFromAnnotations({ "org.opencontainers.image.ref.name": "v1" }, "localhost/bb"), "localhost/bb:v1", "a bare tag goes under the fallback repository");
  t.equal(nameFromAnnotations({ "org.opencontainers.image.ref.name": "docker.io/library/busybox:1.36" }, "localhost/x"), "docker.io/library/busybox:1.36");
  t.equal(nameFromAnnotations({ "org.opencontainers.image.ref.name": "app:2" }, "localhost/x"), "localhost/app:2", "a short reference is the engine's own");
  t.equal(
    nameFromAnnotations({ "io.containerd.image.name": "docker.io/library/busybox:latest", "org.opencontainers.image.ref.name": "latest" }, "localhost/x"),
    "docker.io/library/busybox:latest",
    "containerd's full name wins over the tag",
  );
  t.equal(nameFromAnnotations(undefined, "localhost/x"), undefined);
  t.equal(nameFromAnnotations({ other: "x" }, "localhost/x"), undefined);
  t.throws(() => nameFromAnnotations({ "org.opencontainers.image.ref.name": "Bad Name/x" }, "localhost/x"), { code: "INFRA_RUNTIME_BAD_IMAGE_REF" });
});

t.test("repository from a file name", async (t) => {
  t.equal(repoFromPath("/tmp/busybox.tar"), "busybox");
  t.equal(repoFromPath("/tmp/My Image.tar.gz"), "my-image");
  t.equal(repoFromPath("/tmp/layout/"), "layout");
  t.equal(repoFromPath("app-1.2.tgz"), "app-1.2");
  t.equal(repoFromPath("___.tar"), "imported");
});

t.test("synthesised manifests are deterministic and describe the blobs", async (t) => {
  const config = Buffer.from('{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}');
  const layer = Buffer.from("layer bytes");
  const a = synthesiseManifest(config, [{ bytes: layer, gzip: false }]);
  const b = synthesiseManifest(Buffer.from(config), [{ bytes: Buffer.from(layer), gzip: false }]);
  t.equal(sha256(a), sha256(b));
  const m = JSON.parse(a.toString());
  t.same(m, {
    schemaVersion: 2,
    mediaType: MEDIA.ociManifest,
    config: { mediaType: MEDIA.ociConfig, digest: sha256(config), size: config.length },
    layers: [{ mediaType: MEDIA.ociLayer, digest: sha256(layer), size: layer.length }],
  });
  t.equal(JSON.parse(synthesiseManifest(config, [{ bytes: layer, gzip: true }]).toString()).layers[0].mediaType, MEDIA.ociLayerGzip);
});

t.test("index.json and manifest.json of an export", async (t) => {
  const manifest = { mediaType: MEDIA.ociManifest, digest: D("a"), size: 10 };
  const idx = JSON.parse(Buffer.from(layoutIndex([{ manifest, names: ["localhost/busybox:latest", "docker.io/library/bb:1"] }, { manifest: { ...manifest, digest: D("b") }, names: [] }])).toString());
  t.same(idx, {
    schemaVersion: 2,
    mediaType: MEDIA.ociIndex,
    manifests: [
      { ...manifest, annotations: { "io.containerd.image.name": "localhost/busybox:latest", "org.opencontainers.image.ref.name": "latest" } },
      { ...manifest, annotations: { "io.containerd.image.name": "docker.io/library/bb:1", "org.opencontainers.image.ref.name": "1" } },
      { ...manifest, digest: D("b") },
    ],
  });
  const dm = JSON.parse(dockerManifestJson([{ config: { mediaType: MEDIA.ociConfig, digest: D("c"), size: 1 }, layers: [{ mediaType: MEDIA.ociLayer, digest: D("d"), size: 2 }], names: ["localhost/x:1", `localhost/x@${D("a")}`] }]).toString());
  t.same(dm, [{ Config: `blobs/sha256/${"c".repeat(64)}`, RepoTags: ["localhost/x:1"], Layers: [`blobs/sha256/${"d".repeat(64)}`] }], "digest-only names are not RepoTags");
});

t.test("manifest.json and oci-layout parsing refuse bad shapes", async (t) => {
  t.same(parseDockerManifest("a.tar", Buffer.from('[{"Config":"c.json","RepoTags":null,"Layers":["l.tar"]}]')), [{ Config: "c.json", RepoTags: [], Layers: ["l.tar"] }]);
  t.throws(() => parseDockerManifest("a.tar", Buffer.from("{")), { code: "INFRA_IMAGE_ARCHIVE_MALFORMED", message: /not valid JSON/ });
  t.throws(() => parseDockerManifest("a.tar", Buffer.from("{}")), { code: "INFRA_IMAGE_ARCHIVE_MALFORMED", message: /not a list/ });
  t.throws(() => parseDockerManifest("a.tar", Buffer.from('[{"Layers":[]}]')), { message: /image 1 of manifest.json has no "Config"/ });
  t.throws(() => parseDockerManifest("a.tar", Buffer.from('[{"Config":"c","Layers":[1]}]')), { message: /"Layers"/ });
  t.throws(() => parseDockerManifest("a.tar", Buffer.from('[{"Config":"c","Layers":[],"RepoTags":"x"}]')), { message: /"RepoTags"/ });
  t.doesNotThrow(() => checkLayoutFile("d", Buffer.from('{"imageLayoutVersion":"1.0.0"}')));
  t.throws(() => checkLayoutFile("d", Buffer.from('{"imageLayoutVersion":"2.0.0"}')), { code: "INFRA_IMAGE_ARCHIVE_MALFORMED", message: /only 1.x/ });
});

t.test("names given to imported images", async (t) => {
  const img = (names: string[], c: string): ArchiveImage => ({ manifestDigest: D(c), manifestBytes: Buffer.from(""), configDigest: D("f"), blobs: new Map(), names, format: "oci-layout" });
  t.same(assignNames([img(["localhost/a:1"], "a"), img([], "b")], "/x/bundle.tar", undefined), [["localhost/a:1"], [`localhost/bundle@${D("b")}`]]);
  t.same(assignNames([img(["localhost/a:1"], "a")], "/x/b.tar", ["app:2", "localhost/app:2", "reg.example:5000/app"]), [["localhost/app:2", "reg.example:5000/app:latest"]]);
  t.throws(() => assignNames([img([], "a"), img([], "b")], "/x/b.tar", ["app"]), { code: "INFRA_IMAGE_TAG_AMBIGUOUS" });
});
