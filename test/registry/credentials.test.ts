import t from "tap";
import { readFile, stat } from "node:fs/promises";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import {
  authFilePath,
  lookupCredentials,
  normalizeRegistryHost,
  removeCredentials,
  saveCredentials,
} from "../../src/providers/local-runtime/registry/credentials.js";

t.test("where the file lives", async (t) => {
  t.equal(authFilePath({ INFRA_ROOT: "/r" }), "/r/auth.json");
  t.equal(authFilePath({ HOME: "/home/u" }), "/home/u/.config/infra/auth.json");
  t.equal(authFilePath({ INFRA_AUTH_FILE: "/a.json", INFRA_ROOT: "/r" }), "/a.json");
});

t.test("save: 0600, atomic, Docker's format; lookup; logout removes", async (t) => {
  const dir = t.testdir({});
  const file = join(dir, "conf", "auth.json");
  const old = process.umask(0o000);
  try {
    await saveCredentials(file, "127.0.0.1:5000", { username: "alice", password: "p:a ss" });
  } finally {
    process.umask(old);
  }
  t.equal((await stat(file)).mode & 0o777, 0o600, "0600 even with umask 000");
  const doc = JSON.parse(await readFile(file, "utf8")) as { auths: Record<string, { auth: string }> };
  t.equal(Buffer.from(doc.auths["127.0.0.1:5000"]!.auth, "base64").toString(), "alice:p:a ss");
  await saveCredentials(file, "reg.example.com", { username: "bob", password: "x" });
  t.same(await lookupCredentials(file, "127.0.0.1:5000"), { username: "alice", password: "p:a ss" });
  t.same(await lookupCredentials(file, "reg.example.com"), { username: "bob", password: "x" });
  t.equal(await lookupCredentials(file, "other:1"), undefined);
  t.same(readdirSync(join(dir, "conf")), ["auth.json"], "no temporary files left");
  t.equal(await removeCredentials(file, "127.0.0.1:5000"), true);
  t.equal(await lookupCredentials(file, "127.0.0.1:5000"), undefined);
  t.equal(await removeCredentials(file, "127.0.0.1:5000"), false, "second logout: nothing to remove");
  t.equal((await stat(file)).mode & 0o777, 0o600);
  t.equal(await removeCredentials(file, "reg.example.com"), true);
  t.equal(existsSync(file), false, "the last logout removes the file");
  t.equal(await lookupCredentials(file, "reg.example.com"), undefined, "a missing file means no credentials");
  await t.rejects(saveCredentials(file, "h:1", { username: "a:b", password: "x" }), { code: "INFRA_REGISTRY_BAD_USERNAME" });
});

t.test("host normalisation", async (t) => {
  t.equal(normalizeRegistryHost("https://Reg.Example.com/v2/"), "reg.example.com");
  t.equal(normalizeRegistryHost("127.0.0.1:5000/"), "127.0.0.1:5000");
  t.equal(normalizeRegistryHost("[::1]:5000"), "[::1]:5000");
  t.throws(() => normalizeRegistryHost("reg/team"), { code: "INFRA_REGISTRY_BAD_HOST" });
});
