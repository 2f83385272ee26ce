import t from "tap";
import { parseWwwAuthenticate } from "../../src/providers/local-runtime/registry/www-authenticate.js";

t.test("bearer challenge with quoted params, commas inside quotes", async (t) => {
  const [c, ...rest] = parseWwwAuthenticate('Bearer realm="https://auth.example.com/token",service="registry.example.com",scope="repository:a/b:pull,push"');
  t.same(rest, []);
  t.equal(c?.scheme, "bearer");
  t.same(c?.params, { realm: "https://auth.example.com/token", service: "registry.example.com", scope: "repository:a/b:pull,push" });
});

t.test("basic challenge, token params, escapes, several challenges", async (t) => {
  t.same(parseWwwAuthenticate('Basic realm="basic-realm"'), [{ scheme: "basic", params: { realm: "basic-realm" } }]);
  t.same(parseWwwAuthenticate("Bearer realm=http://x/t, service=s"), [{ scheme: "bearer", params: { realm: "http://x/t", service: "s" } }]);
  t.same(parseWwwAuthenticate('Basic realm="a \\"q\\"", Bearer realm="r"'), [
    { scheme: "basic", params: { realm: 'a "q"' } },
    { scheme: "bearer", params: { realm: "r" } },
  ]);
  t.same(parseWwwAuthenticate(""), []);
});
