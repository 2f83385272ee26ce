/** Short names: the local store first, then each search registry of registries.json in order. */
import t from "tap";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { pushImage } from "../../src/providers/local-runtime/registry/push-image.js";
import { pullByName, remoteCandidates, resolveImage } from "../../src/providers/local-runtime/registry/resolve-image.js";
import { freePort, startRegistry } from "./fixtures/registry-server.js";
import { countingFetch, newStore } from "./fixtures/stores.js";

t.test("local first, then search registries; a dead registry is skipped", async (t) => {
  const dir = t.testdir({});
  const reg = await startRegistry(t, join(dir, "registry"));
  const dead = `127.0.0.1:${await freePort()}`;
  const authFile = join(dir, "auth.json");
  const src = await newStore(join(dir, "src"));
  const app = await src.addImage([], { architecture: "amd64", os: "linux", config: { Cmd: ["true"] } }, ["localhost/app:1"]);
  await pushImage(src, "localhost/app:1", `${reg.host}/app:1`, { authFile });

  const store = await newStore(join(dir, "store"));
  writeFileSync(join(store.layout.root, "registries.json"), JSON.stringify({ search: [dead, reg.host] }));
  const counter = countingFetch();
  const opts = { authFile, fetch: counter.fetch };

  const busybox = await resolveImage(store, "busybox", opts);
  t.same(busybox.names, ["localhost/busybox:latest"], "the built-in busybox");
  t.same(counter.calls, [], "no registry asked for a local image");

  const pulled = await resolveImage(store, "app:1", opts);
  t.equal(pulled.digest, app.digest, "found on the second search registry");
  t.same(pulled.names, [`${reg.host}/app:1`]);
  t.ok(counter.calls.some((c) => c.startsWith("GET /v2/app/manifests/1")));

  counter.calls.length = 0;
  t.equal((await resolveImage(store, "app:1", opts)).digest, app.digest);
  t.same(counter.calls, [], "pulled once, then found locally under the registry's name");

  await t.rejects(resolveImage(store, "nope:1", opts), {
    code: "INFRA_REGISTRY_IMAGE_NOT_FOUND",
    message: new RegExp(`image 'nope:1' is not in the local store; tried ${dead}/nope:1: cannot reach .*; ${reg.host}/nope:1: manifest nope:1 not found`),
  });
  const byName = await pullByName(store, "app:1", opts);
  t.equal(byName.name, `${reg.host}/app:1`, "infra pull SHORT: from the search registries");
  t.equal(byName.downloaded, 0);
  counter.calls.length = 0;
  await t.rejects(resolveImage(store, "app:2", { ...opts, pull: "never" }), { code: "INFRA_REGISTRY_IMAGE_NOT_FOUND", message: "image 'app:2' is not in the local store" });
  t.same(counter.calls, [], "pull: never stays offline");
  const always = await resolveImage(store, `${reg.host}/app:1`, { ...opts, pull: "always" });
  t.equal(always.digest, app.digest);
  t.ok(counter.calls.some((c) => c.startsWith("GET /v2/app/manifests/1")), "pull: always asks the registry");
});

t.test("no search registries: a short name is Docker Hub's, as Docker reads it", async (t) => {
  const store = await newStore(t.testdir({}));
  const urls: string[] = [];
  const f: typeof fetch = (input, init) => {
    urls.push(input instanceof Request ? input.url : String(input));
    return fetch(input, init);
  };
  // No network here: Docker Hub is out of reach, and the error says which name was tried.
  await t.rejects(resolveImage(store, "app:1", { authFile: "/nonexistent/auth.json", fetch: f }), { code: "INFRA_REGISTRY_UNREACHABLE" });
  t.same(urls, ["https://registry-1.docker.io/v2/library/app/manifests/1"], "docker.io/library/app:1 asked of Docker Hub");
  urls.length = 0;
  await t.rejects(resolveImage(store, "team/app", { authFile: "/nonexistent/auth.json", fetch: f }));
  t.same(urls, ["https://registry-1.docker.io/v2/team/app/manifests/latest"], "user/app is docker.io/user/app:latest");
  t.equal(remoteCandidates("alpine:3.19", [])[0], "docker.io/library/alpine:3.19");
  t.same(remoteCandidates("localhost/app:1", []), [], "the engine's own names are never pulled");
});
