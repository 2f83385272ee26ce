/** RegistryAuth with a fake token endpoint and clock: expiry, default lifetime, Basic. */
import t from "tap";
import { RegistryAuth } from "../../src/providers/local-runtime/registry/registry-auth.js";

const CHALLENGE = 'Bearer realm="http://auth.test/token",service="svc",scope="repository:a:pull"';

function fakeTokens(body: (n: number) => object, status = 200) {
  const urls: string[] = [];
  const headers: Array<string | undefined> = [];
  const f = (async (input: string | URL | Request, init?: RequestInit) => {
    urls.push(String(input));
    headers.push((init?.headers as Record<string, string> | undefined)?.authorization);
    return new Response(JSON.stringify(body(urls.length)), { status, headers: { "content-type": "application/json" } });
  }) as typeof fetch;
  return { urls, headers, fetch: f };
}

t.test("tokens are cached per scope until they expire (expires_in defaults to 60 s)", async (t) => {
  let now = 1_000_000;
  const fake = fakeTokens((n) => ({ token: `tok${n}` }));
  const auth = new RegistryAuth("h:1", undefined, fake.fetch, () => now);
  t.equal(auth.headerFor(["repository:a:pull"]), undefined, "anonymous until challenged");
  t.equal(await auth.answer(CHALLENGE, ["repository:a:pull"], undefined), true);
  t.equal(fake.urls[0], "http://auth.test/token?service=svc&scope=repository%3Aa%3Apull");
  t.equal(fake.headers[0], undefined, "no credentials: anonymous token request");
  t.equal(auth.headerFor(["repository:a:pull"]), "Bearer tok1");
  t.equal(auth.headerFor(["repository:a:pull,push"]), undefined, "another scope needs its own token");
  t.equal(await auth.answer(CHALLENGE, ["repository:a:pull"], undefined), true, "a request sent before the token existed retries with it");
  t.equal(fake.urls.length, 1, "without fetching another");
  now += 49_000;
  t.equal(auth.headerFor(["repository:a:pull"]), "Bearer tok1");
  now += 2_000;
  t.equal(auth.headerFor(["repository:a:pull"]), undefined, "expired (with a 10 s margin)");
  await auth.answer(CHALLENGE, ["repository:a:pull"], "Bearer tok1");
  t.equal(auth.headerFor(["repository:a:pull"]), "Bearer tok2");
});

t.test("access_token, expires_in, Basic to the realm; refusal names login", async (t) => {
  const fake = fakeTokens(() => ({ access_token: "at", expires_in: 3600 }));
  const auth = new RegistryAuth("h:1", { username: "u", password: "p" }, fake.fetch);
  await auth.answer(CHALLENGE, ["repository:a:pull"], undefined);
  t.equal(fake.headers[0], `Basic ${Buffer.from("u:p").toString("base64")}`);
  t.equal(auth.headerFor(["repository:a:pull"]), "Bearer at");
  const refused = new RegistryAuth("h:1", { username: "u", password: "bad" }, fakeTokens(() => ({}), 401).fetch);
  await t.rejects(refused.answer(CHALLENGE, ["repository:a:pull"], undefined), { code: "INFRA_REGISTRY_UNAUTHORIZED", message: /refused user 'u'/, hint: "run `infra login h:1` with valid credentials" });
});

t.test("Basic: credentials when there are some, nothing to offer otherwise", async (t) => {
  const none = new RegistryAuth("h:1", undefined, fetch);
  t.equal(await none.answer('Basic realm="r"', [], undefined), false);
  const some = new RegistryAuth("h:1", { username: "u", password: "p" }, fetch);
  t.equal(await some.answer('Basic realm="r"', [], undefined), true);
  t.equal(some.headerFor([]), `Basic ${Buffer.from("u:p").toString("base64")}`);
});
