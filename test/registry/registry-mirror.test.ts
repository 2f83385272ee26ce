/**
 * Registry mirrors for docker.io names and insecure registries, as Docker's daemon.json has them,
 * against a real docker-registry on loopback. The origin (Docker Hub) is out of reach here: a
 * pull the mirror cannot serve fails naming both.
 */
import t from "tap";
import { join } from "node:path";
import { parseEngineConfig } from "../../src/providers/local-runtime/engine/engine-config.js";
import { EMPTY_REGISTRIES_CONFIG, withEngineConfig } from "../../src/providers/local-runtime/registry/registries-config.js";
import { pullImage } from "../../src/providers/local-runtime/registry/pull-image.js";
import { pushImage } from "../../src/providers/local-runtime/registry/push-image.js";
import { resolveImage } from "../../src/providers/local-runtime/registry/resolve-image.js";
import { startRegistry } from "./fixtures/registry-server.js";
import { countingFetch, newStore } from "./fixtures/stores.js";

const settings = (doc: unknown) => withEngineConfig(EMPTY_REGISTRIES_CONFIG, parseEngineConfig(JSON.stringify(doc), "/test/engine.json"));

t.test("a docker.io name is pulled through the mirror and stored under its docker.io name", async (t) => {
  const dir = t.testdir({});
  // 127.0.0.2 is loopback, but not a host the client speaks plain HTTP to unasked.
  const reg = await startRegistry(t, join(dir, "registry"), { address: "127.0.0.2" });
  const authFile = join(dir, "auth.json");
  const src = await newStore(join(dir, "src"));
  await src.ensureBusybox();
  const pushed = await pushImage(src, "busybox", `${reg.host}/library/busybox:mirror`, { authFile, config: { ...EMPTY_REGISTRIES_CONFIG, insecure: [reg.host] } });

  const store = await newStore(join(dir, "dst"));
  const counter = countingFetch();
  // An https mirror listed as insecure is spoken to over plain HTTP, as Docker does.
  const config = settings({ "registry-mirrors": [`https://${reg.host}`], "insecure-registries": [reg.host] });
  const rec = await resolveImage(store, "busybox:mirror", { authFile, config, fetch: counter.fetch });
  t.equal(rec.digest, pushed.digest, "the mirror's image");
  t.same(rec.names, ["docker.io/library/busybox:mirror"], "stored under the name Docker gives it");
  t.ok(counter.calls.includes("GET /v2/library/busybox/manifests/mirror"), "asked the mirror for library/busybox");
  t.equal((await store.resolve("busybox:mirror"))?.digest, pushed.digest, "the short name finds it afterwards");
  t.equal((await store.resolve("docker.io/busybox:mirror"))?.digest, pushed.digest, "docker.io/busybox is docker.io/library/busybox");

  await t.test("without insecure-registries, an https mirror on that host is spoken to with TLS, and fails", async (t) => {
    const other = await newStore(join(dir, "tls"));
    const err = await pullImage(other, "docker.io/library/busybox:mirror", { authFile, config: settings({ "registry-mirrors": [`https://${reg.host}`] }) }).catch((e: unknown) => e as Error);
    t.match(err, { message: new RegExp(`mirror ${reg.host.replace(/\./g, "\\.")}: .*origin registry-1\\.docker\\.io`) }, "names the mirror tried and the origin");
  });

  await t.test("an http:// mirror needs no insecure entry", async (t) => {
    const other = await newStore(join(dir, "http"));
    const r = await pullImage(other, "docker.io/library/busybox:mirror", { authFile, config: settings({ "registry-mirrors": [`http://${reg.host}`] }) });
    t.equal(r.record.digest, pushed.digest);
  });

  await t.test("a mirror without the image: the next one, then the origin; the error names each", async (t) => {
    const other = await newStore(join(dir, "miss"));
    const config = settings({ "registry-mirrors": [`http://${reg.host}`, "http://127.0.0.1:9"] });
    const err = await pullImage(other, "docker.io/library/busybox:absent", { authFile, config }).catch((e: unknown) => e as Error & { code: string });
    t.match(err.message, `cannot pull docker.io/library/busybox:absent: mirror ${reg.host}: `);
    t.match(err.message, "; mirror 127.0.0.1:9: ");
    t.match(err.message, "; origin registry-1.docker.io: ");
    t.same(await other.list(), [], "nothing stored");
  });

  await t.test("mirrors serve docker.io only", async (t) => {
    const other = await newStore(join(dir, "only"));
    const hosts: string[] = [];
    const f: typeof fetch = (input, init) => {
      hosts.push(new URL(input instanceof Request ? input.url : String(input)).host);
      return fetch(input, init);
    };
    const config = settings({ "registry-mirrors": [`http://${reg.host}`] });
    await t.rejects(pullImage(other, "quay.io/library/busybox:mirror", { authFile, config, fetch: f }));
    t.same([...new Set(hosts)], ["quay.io"], "only the origin is asked");
  });
});

t.test("the engine settings file: Docker's keys, checked with the file and key named", async (t) => {
  const ok = parseEngineConfig(JSON.stringify({ "registry-mirrors": ["https://m.example.com/", "http://10.0.0.5:5000"], "insecure-registries": ["reg.lan:5000"] }), "/etc/infra/engine.json");
  t.same(ok, { registryMirrors: [{ host: "m.example.com", plainHttp: false }, { host: "10.0.0.5:5000", plainHttp: true }], insecureRegistries: ["reg.lan:5000"] });
  t.same(withEngineConfig(EMPTY_REGISTRIES_CONFIG, ok).insecure, ["reg.lan:5000", "10.0.0.5:5000"], "http mirrors are plain HTTP");
  const bad = (doc: string, message: RegExp) => t.throws(() => parseEngineConfig(doc, "/etc/infra/engine.json"), { code: "INFRA_RUNTIME_BAD_ENGINE_CONFIG", message });
  bad("{", /^engine settings \/etc\/infra\/engine.json is not JSON/);
  bad("[]", /must hold a JSON object/);
  bad('{"registry-mirror": []}', /"registry-mirror" is not a setting the engine knows/);
  bad('{"registry-mirrors": "https://m"}', /"registry-mirrors" must be a list/);
  bad('{"registry-mirrors": ["m.example.com"]}', /"registry-mirrors" has "m.example.com": not a URL/);
  bad('{"registry-mirrors": ["ftp://m.example.com"]}', /the scheme must be http or https/);
  bad('{"registry-mirrors": ["https://m.example.com/v2/"]}', /without a path/);
  bad('{"registry-mirrors": ["https://u:p@m.example.com"]}', /credentials/);
  bad('{"insecure-registries": ["10.0.0.0/8"]}', /"insecure-registries" has the range "10.0.0.0\/8"/);
  bad('{"insecure-registries": ["reg lan"]}', /not host\[:port\]/);
});
