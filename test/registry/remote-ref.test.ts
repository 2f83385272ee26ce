import t from "tap";
import { hasExplicitDomain, parseRemoteRef, remoteReference } from "../../src/providers/local-runtime/registry/remote-ref.js";
import { remoteCandidates } from "../../src/providers/local-runtime/registry/resolve-image.js";
import { hostName, isPlainHttpRegistry, parseRegistriesConfig, registryBaseUrl } from "../../src/providers/local-runtime/registry/registries-config.js";

const D = `sha256:${"ab".repeat(32)}`;

t.test("remote references", async (t) => {
  t.same(parseRemoteRef("127.0.0.1:5000/team/app:1"), { host: "127.0.0.1:5000", repo: "team/app", tag: "1", name: "127.0.0.1:5000/team/app:1" });
  t.same(parseRemoteRef(`registry.example.com/app@${D}`), { host: "registry.example.com", repo: "app", digest: D, name: `registry.example.com/app@${D}` });
  t.equal(parseRemoteRef("localhost:5000/app").tag, "latest");
  t.equal(parseRemoteRef("docker.io/busybox").repo, "library/busybox", "Docker Hub's official images live under library/");
  t.equal(parseRemoteRef("[::1]:5000/app:2").host, "[::1]:5000");
  t.equal(remoteReference(parseRemoteRef(`h.io/a:1@${D}`)), D, "a digest wins over a tag");
  for (const bad of ["busybox", "localhost/app:1", "team/app"]) {
    t.throws(() => parseRemoteRef(bad), { code: "INFRA_REGISTRY_NO_REGISTRY", hint: /127\.0\.0\.1:5000\/app:1/ }, bad);
  }
  t.throws(() => parseRemoteRef("h.io/Bad"), { code: "INFRA_RUNTIME_BAD_IMAGE_REF" });
});

t.test("short names try the search registries in order; names with a registry only it", async (t) => {
  t.equal(hasExplicitDomain("busybox"), false);
  t.equal(hasExplicitDomain("team/app"), false);
  t.equal(hasExplicitDomain("h:5000/app"), true);
  t.same(remoteCandidates("busybox:1", ["a:5000", "b.example"]), ["a:5000/busybox:1", "b.example/busybox:1"]);
  t.same(remoteCandidates("h.io/app", ["a:5000"]), ["h.io/app"]);
  t.same(remoteCandidates("localhost/app", ["a:5000"]), [], "localhost/ is the local namespace");
});

t.test("registries config and plain HTTP", async (t) => {
  const cfg = parseRegistriesConfig('{"insecure": ["reg.lan:5000"], "search": ["reg.lan:5000"]}', "/x/registries.json");
  t.same(cfg, { insecure: ["reg.lan:5000"], search: ["reg.lan:5000"] });
  t.equal(registryBaseUrl("reg.lan:5000", cfg), "http://reg.lan:5000");
  t.equal(registryBaseUrl("reg.lan:5001", cfg), "https://reg.lan:5001");
  t.equal(registryBaseUrl("docker.io", cfg), "https://registry-1.docker.io");
  for (const h of ["localhost:5000", "127.0.0.1:1234", "[::1]:5000", "localhost"]) t.equal(isPlainHttpRegistry(h, cfg), true, h);
  t.equal(isPlainHttpRegistry("127.0.0.2:5000", cfg), false);
  t.equal(hostName("[::1]:5000"), "[::1]");
  t.throws(() => parseRegistriesConfig('{"insecure": "x"}', "/x/registries.json"), { code: "INFRA_REGISTRY_BAD_CONFIG", message: /\/x\/registries.json: "insecure" must be a list/ });
  t.throws(() => parseRegistriesConfig('{"mirrors": []}', "/x/r.json"), { message: /unknown key "mirrors"/ });
  t.throws(() => parseRegistriesConfig("{", "/x/r.json"), { message: /not JSON/ });
});
