import t from "tap";
import { selectPlatform } from "../../src/providers/local-runtime/registry/select-platform.js";
import { manifestContentType, manifestKind } from "../../src/providers/local-runtime/registry/manifest-media.js";

const d = (n: string) => `sha256:${n.repeat(64)}`;
const entries = [
  { digest: d("a"), size: 1, platform: { os: "linux", architecture: "arm64", variant: "v8" } },
  { digest: d("b"), size: 1, platform: { os: "unknown", architecture: "unknown" } },
  { digest: d("c"), size: 1, platform: { os: "linux", architecture: "amd64" } },
  { digest: d("e"), size: 1, platform: { os: "linux", architecture: "arm", variant: "v7" } },
];

t.test("picks linux/amd64, or a requested platform with variant", async (t) => {
  t.equal(selectPlatform(entries, { os: "linux", architecture: "amd64" }, "x").digest, d("c"));
  t.equal(selectPlatform(entries, { os: "linux", architecture: "arm", variant: "v7" }, "x").digest, d("e"));
  t.equal(selectPlatform(entries, { os: "linux", architecture: "arm64" }, "x").digest, d("a"));
});

t.test("no match names what the index offers", async (t) => {
  t.throws(() => selectPlatform(entries.slice(0, 2), { os: "linux", architecture: "amd64" }, "reg/app:1"), {
    code: "INFRA_REGISTRY_NO_MATCHING_PLATFORM",
    category: "NotFound",
    message: /reg\/app:1 has no image for linux\/amd64/,
    hint: /linux\/arm64\/v8, unknown\/unknown/,
  });
});

t.test("manifest kinds from the content type, the document, or its shape", async (t) => {
  t.equal(manifestKind("application/vnd.docker.distribution.manifest.list.v2+json", {}), "index");
  t.equal(manifestKind("application/vnd.oci.image.index.v1+json; charset=utf-8", {}), "index");
  t.equal(manifestKind("application/json", { mediaType: "application/vnd.oci.image.manifest.v1+json" }), "manifest");
  t.equal(manifestKind(undefined, { schemaVersion: 2, manifests: [] }), "index");
  t.equal(manifestKind(undefined, { schemaVersion: 2, config: {}, layers: [] }), "manifest");
  t.equal(manifestKind("application/vnd.docker.distribution.manifest.v1+prettyjws", { schemaVersion: 1 }), "unsupported");
  t.equal(manifestContentType({ mediaType: "application/vnd.docker.distribution.manifest.v2+json" }), "application/vnd.docker.distribution.manifest.v2+json");
  t.equal(manifestContentType({ manifests: [] }), "application/vnd.oci.image.index.v1+json");
  t.equal(manifestContentType({ config: {} }), "application/vnd.oci.image.manifest.v1+json");
});
