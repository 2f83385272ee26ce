/** Basic auth against a real docker-registry (htpasswd), and the bearer-token flow through a test token server. */
import t from "tap";
import { join } from "node:path";
import { saveCredentials } from "../../src/providers/local-runtime/registry/credentials.js";
import { checkLogin } from "../../src/providers/local-runtime/registry/check-login.js";
import { pullImage } from "../../src/providers/local-runtime/registry/pull-image.js";
import { pushImage } from "../../src/providers/local-runtime/registry/push-image.js";
import { startRegistry } from "./fixtures/registry-server.js";
import { newStore } from "./fixtures/stores.js";
import { startTokenAuthProxy } from "./fixtures/token-auth-proxy.js";

const USER = { name: "alice", password: "s3cret pass" };
const NO_CONFIG = { insecure: [], search: [] };

t.test("basic auth: 401 without login, works after", async (t) => {
  const dir = t.testdir({});
  const reg = await startRegistry(t, join(dir, "registry"), { user: USER });
  const authFile = join(dir, "auth.json");
  const store = await newStore(join(dir, "store"));
  await store.ensureBusybox();
  await t.rejects(pushImage(store, "busybox", `${reg.host}/app:1`, { authFile }), {
    code: "INFRA_REGISTRY_UNAUTHORIZED",
    message: new RegExp(`registry ${reg.host} requires authentication`),
    hint: `run \`infra login ${reg.host}\``,
  });
  await t.rejects(checkLogin(reg.host, { username: USER.name, password: "wrong" }, NO_CONFIG), { code: "INFRA_REGISTRY_UNAUTHORIZED" });
  await checkLogin(reg.host, { username: USER.name, password: USER.password }, NO_CONFIG);
  await saveCredentials(authFile, reg.host, { username: USER.name, password: USER.password });
  const pushed = await pushImage(store, "busybox", `${reg.host}/app:1`, { authFile });
  t.equal(pushed.counts.uploaded, 2);
  const other = await newStore(join(dir, "other"));
  await t.rejects(pullImage(other, `${reg.host}/app:1`, { authFile: join(dir, "nobody.json") }), { code: "INFRA_REGISTRY_UNAUTHORIZED" });
  const pulled = await pullImage(other, `${reg.host}/app:1`, { authFile });
  t.equal(pulled.record.digest, pushed.digest);
});

t.test("bearer tokens: challenge, token per scope with Basic to the realm, mount scopes", async (t) => {
  const dir = t.testdir({});
  const reg = await startRegistry(t, join(dir, "registry"));
  const proxy = await startTokenAuthProxy(t, reg.host, USER);
  const store = await newStore(join(dir, "store"));
  const busybox = await store.ensureBusybox();
  const credentials = { username: USER.name, password: USER.password };
  const config = { insecure: [], search: [] };

  await t.rejects(pullImage(store, `${proxy.host}/app:1`, { config, authFile: join(dir, "none.json") }), {
    code: "INFRA_REGISTRY_UNAUTHORIZED",
    message: /token service of .* refused anonymous access/,
    hint: `run \`infra login ${proxy.host}\` with valid credentials`,
  });
  proxy.tokenRequests.length = 0;

  const pushed = await pushImage(store, "busybox", `${proxy.host}/team/app:1`, { config, credentials });
  t.equal(pushed.digest, busybox.digest);
  t.same(proxy.tokenRequests.map((r) => r.scopes.join(" ")), ["repository:team/app:pull", "repository:team/app:pull,push"], "one token per scope, shared by parallel requests");
  t.ok(proxy.tokenRequests.every((r) => r.service === "infra-test-registry" && r.user === "alice"), "service from the challenge, Basic credentials to the realm");
  t.ok(proxy.tokenRequests.some((r) => r.scopes.includes("repository:team/app:pull,push")), "push scope requested");

  proxy.tokenRequests.length = 0;
  const mounted = await pushImage(store, "busybox", `${proxy.host}/team/copy:1`, { config, credentials });
  t.same(mounted.counts, { exists: 0, mounted: 2, uploaded: 0 }, "mount through token auth");
  t.ok(proxy.tokenRequests.some((r) => r.scopes.includes("repository:team/copy:pull,push") && r.scopes.includes("repository:team/app:pull")), "the mount asks for pull on the source repository too");

  const other = await newStore(join(dir, "other"));
  const pulled = await pullImage(other, `${proxy.host}/team/copy:1`, { config, credentials });
  t.equal(pulled.record.digest, busybox.digest);
  await t.rejects(checkLogin(proxy.host, { username: "alice", password: "nope" }, config), { code: "INFRA_REGISTRY_UNAUTHORIZED" });
  await checkLogin(proxy.host, credentials, config);
});
