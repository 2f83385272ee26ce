import t from "tap";
import { codeFrame } from "../../src/dsl/loader/code-frame.js";
import { isIgnored, parseDockerignore } from "../../src/graph/dockerignore.js";
import { parseEnvFile } from "../../src/dsl/loader/env-file.js";
import { parseTmpfsString, parseVolumeString } from "../../src/dsl/parse/mount.js";
import { parsePort } from "../../src/dsl/parse/port.js";
import { shellWords } from "../../src/dsl/parse/shell-words.js";
import { parseDurationMs, parseSize } from "../../src/dsl/parse/size.js";

t.test("ports in every form", async (t) => {
  t.same(parsePort(80), { containerPort: 80, protocol: "tcp" });
  t.same(parsePort("80"), { containerPort: 80, protocol: "tcp" });
  t.same(parsePort("53/udp"), { containerPort: 53, protocol: "udp" });
  t.same(parsePort("8080:80"), { containerPort: 80, hostPort: 8080, protocol: "tcp" });
  t.same(parsePort("127.0.0.1:8000:80/udp"), { containerPort: 80, hostPort: 8000, hostIp: "127.0.0.1", protocol: "udp" });
  t.same(parsePort("127.0.0.1::80"), { containerPort: 80, hostIp: "127.0.0.1", protocol: "tcp" });
  t.same(parsePort("[::1]:8000:80"), { containerPort: 80, hostPort: 8000, hostIp: "::1", protocol: "tcp" });
  t.same(parsePort("10000-10010:20000-20010/udp"), { containerPort: 20000, hostPort: 10000, count: 11, protocol: "udp" });
  t.same(parsePort("7000-7002"), { containerPort: 7000, count: 3, protocol: "tcp" });
  t.same(parsePort({ containerPort: 80, hostPort: 8081, hostIp: "0.0.0.0" }), { containerPort: 80, hostPort: 8081, hostIp: "0.0.0.0", protocol: "tcp" });
  t.throws(() => parsePort("8080:80/sctp"), { code: "INFRA_VALIDATE_INVALID_PORT" });
  t.throws(() => parsePort("10-12:20-21"), { code: "INFRA_VALIDATE_INVALID_PORT", message: /3 ports but container range has 2/ });
  t.throws(() => parsePort("http"), { code: "INFRA_VALIDATE_INVALID_PORT" });
  t.throws(() => parsePort("1:2:3:4"), { code: "INFRA_VALIDATE_INVALID_PORT" });
  t.throws(() => parsePort("20-10"), { code: "INFRA_VALIDATE_INVALID_PORT" });
});

t.test("sizes and durations", async (t) => {
  t.equal(parseSize("256m"), 256 * 1024 * 1024);
  t.equal(parseSize("1.5g"), 1.5 * 1024 ** 3);
  t.equal(parseSize("64MiB"), 64 * 1024 ** 2);
  t.equal(parseSize("512k"), 512 * 1024);
  t.equal(parseSize("100"), 100);
  t.equal(parseSize(4096), 4096);
  t.throws(() => parseSize("lots"), { code: "INFRA_VALIDATE_INVALID_SIZE" });
  t.throws(() => parseSize(-1), { code: "INFRA_VALIDATE_INVALID_SIZE" });
  t.equal(parseDurationMs("30s"), 30000);
  t.equal(parseDurationMs("1m30s"), 90000);
  t.equal(parseDurationMs("500ms"), 500);
  t.equal(parseDurationMs("2h"), 7_200_000);
  t.equal(parseDurationMs(10), 10000, "a number is seconds");
  t.throws(() => parseDurationMs("10"), { code: "INFRA_VALIDATE_INVALID_DURATION" });
  t.throws(() => parseDurationMs("5 minutes"), { code: "INFRA_VALIDATE_INVALID_DURATION" });
});

t.test("volume strings", async (t) => {
  t.same(parseVolumeString("data:/var/lib/data"), { type: "volume", source: "data", target: "/var/lib/data" });
  t.same(parseVolumeString("data:/x:ro,nocopy"), { type: "volume", source: "data", target: "/x", readOnly: true, noCopy: true });
  t.same(parseVolumeString("/srv/www:/www:ro"), { type: "bind", source: "/srv/www", target: "/www", readOnly: true });
  t.same(parseVolumeString("./site:/www:rw"), { type: "bind", source: "./site", target: "/www" });
  t.same(parseVolumeString("/cache"), { type: "volume", target: "/cache" });
  t.throws(() => parseVolumeString("a:b:c:d"), { code: "INFRA_VALIDATE_INVALID_VOLUME" });
  t.throws(() => parseVolumeString("data:/x:rx"), { code: "INFRA_VALIDATE_INVALID_VOLUME" });
  t.same(parseTmpfsString("/run:size=64m,mode=1777"), { type: "tmpfs", target: "/run", tmpfsSize: 64 * 1024 ** 2, tmpfsMode: 0o1777 });
  t.same(parseTmpfsString("/tmp"), { type: "tmpfs", target: "/tmp" });
});

t.test("shell words", async (t) => {
  t.same(shellWords(`sh -c 'echo "hi there"; sleep 1'`), ["sh", "-c", 'echo "hi there"; sleep 1']);
  t.same(shellWords(`a "b c" d\\ e ""`), ["a", "b c", "d e", ""]);
  t.throws(() => shellWords("echo 'oops"), { code: "INFRA_VALIDATE_INVALID_VALUE" });
});

t.test("dockerignore rules", async (t) => {
  const rules = parseDockerignore("# comment\nnode_modules\n*.log\n!keep.log\n/build/\n**/tmp\ndocs/**/*.md\n");
  t.ok(isIgnored(rules, "node_modules"));
  t.ok(isIgnored(rules, "node_modules/x/y.js"), "below an ignored directory");
  t.ok(isIgnored(rules, "a.log"));
  t.notOk(isIgnored(rules, "keep.log"), "! re-includes");
  t.notOk(isIgnored(rules, "src/a.log"), "* does not cross /");
  t.ok(isIgnored(rules, "build/out.js"));
  t.ok(isIgnored(rules, "tmp"));
  t.ok(isIgnored(rules, "a/b/tmp/c"));
  t.ok(isIgnored(rules, "docs/x.md"), "**/ matches zero directories");
  t.ok(isIgnored(rules, "docs/a/b/x.md"));
  t.notOk(isIgnored(rules, "src/index.ts"));
});

t.test("env files", async (t) => {
  const r = parseEnvFile("# c\nA=1\nexport B = two\nC=\"x\\ny\"\nD='lit $x'\nE=val # trailing\nnot a line\n\n");
  t.same(r.env, { A: "1", B: "two", C: "x\ny", D: "lit $x", E: "val" });
  t.same(r.badLines, [7]);
});

t.test("code frame", async (t) => {
  const text = "line one\n\tconst x: number = 'a';\nline three";
  t.equal(codeFrame(text, 2, 20, 3), [
    "  1 | line one",
    "> 2 |   const x: number = 'a';",
    "    |                     ^^^",
    "  3 | line three",
  ].join("\n"));
});
