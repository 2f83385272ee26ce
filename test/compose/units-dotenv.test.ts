import t from "tap";
import { parseDotenv } from "../../src/compose/dotenv.js";
import { normalizeProjectName, pickProjectName } from "../../src/compose/project-name.js";
import { parseDurationMs, parseMode, parseSizeBytes, shellSplit } from "../../src/compose/units.js";
import { parsePortShort } from "../../src/compose/service-syntax.js";

t.test("durations", async (t) => {
  t.equal(parseDurationMs("1m30s"), 90_000);
  t.equal(parseDurationMs("500ms"), 500);
  t.equal(parseDurationMs("1h"), 3_600_000);
  t.equal(parseDurationMs("1.5s"), 1500);
  t.equal(parseDurationMs(10), 10_000);
  t.equal(parseDurationMs("10"), 10_000);
  t.equal(parseDurationMs("soon"), undefined);
  t.equal(parseDurationMs("10x"), undefined);
  t.equal(parseDurationMs(""), undefined);
});

t.test("sizes", async (t) => {
  t.equal(parseSizeBytes("512m"), 512 * 1024 ** 2);
  t.equal(parseSizeBytes("1g"), 1024 ** 3);
  t.equal(parseSizeBytes("1.5G"), 1.5 * 1024 ** 3);
  t.equal(parseSizeBytes("32M"), 32 * 1024 ** 2);
  t.equal(parseSizeBytes("100kb"), 102_400);
  t.equal(parseSizeBytes("1024"), 1024);
  t.equal(parseSizeBytes(2048), 2048);
  t.equal(parseSizeBytes("lots"), undefined);
});

t.test("file modes read as octal", async (t) => {
  t.equal(parseMode("0440"), 0o440);
  t.equal(parseMode("0o440"), 0o440);
  t.equal(parseMode(1777), 0o1777);
  t.equal(parseMode("999"), undefined);
});

t.test("shell words", async (t) => {
  t.same(shellSplit(`httpd -f -p 80 -h "/www dir"`), ["httpd", "-f", "-p", "80", "-h", "/www dir"]);
  t.same(shellSplit(`sh -c 'echo $HOME && exit 1'`), ["sh", "-c", "echo $HOME && exit 1"]);
  t.same(shellSplit(`a\\ b "c\\"d" ''`), ["a b", 'c"d', ""]);
  t.same(shellSplit("  "), []);
  t.equal(shellSplit(`echo "open`), undefined);
});

t.test("short port syntax", async (t) => {
  t.same(parsePortShort("8080:80"), { target: 80, published: 8080, protocol: "tcp" });
  t.same(parsePortShort(3000), { target: 3000, protocol: "tcp" });
  t.same(parsePortShort("127.0.0.1:8001:8001/udp"), { target: 8001, published: 8001, host_ip: "127.0.0.1", protocol: "udp" });
  t.same(parsePortShort("127.0.0.1::80"), { target: 80, host_ip: "127.0.0.1", protocol: "tcp" });
  t.same(parsePortShort("[::1]:6000:6000"), { target: 6000, published: 6000, host_ip: "::1", protocol: "tcp" });
  t.same(parsePortShort("9090-9091:8080-8081"), { target: 8080, published: 9090, count: 2, protocol: "tcp" });
  t.same(parsePortShort("3000-3005"), { target: 3000, count: 6, protocol: "tcp" });
  t.match(parsePortShort("8000-8010:9000"), /differ in length/);
  t.match(parsePortShort("80/sctp"), /not tcp or udp/);
  t.match(parsePortShort("70000"), /not a port/);
});

t.test("dotenv", async (t) => {
  const r = parseDotenv(["# c", "", "A=1", "export B = two ", "C='single $x'", 'D="dq \\"x\\" \\n"', "E=value # comment", "F", "G=", 'H="multi', 'line"'].join("\n"));
  t.same(r, {
    ok: true,
    entries: [
      { key: "A", value: "1", line: 3 },
      { key: "B", value: "two", line: 4 },
      { key: "C", value: "single $x", line: 5 },
      { key: "D", value: 'dq "x" \n', line: 6 },
      { key: "E", value: "value", line: 7 },
      { key: "F", value: undefined, line: 8 },
      { key: "G", value: "", line: 9 },
      { key: "H", value: "multi\nline", line: 11 },
    ],
  });
  t.same(parseDotenv("1BAD=x"), { ok: false, line: 1, message: 'invalid variable name "1BAD"' });
  t.match(parseDotenv('A="open'), { ok: false, line: 1 });
});

t.test("project names", async (t) => {
  t.equal(normalizeProjectName("My.Proj App"), "myprojapp");
  t.equal(normalizeProjectName("_-x_y-Z"), "x_y-z");
  t.equal(pickProjectName({ flag: "Flag", env: "env", fileName: "file", dirName: "dir" }), "flag");
  t.equal(pickProjectName({ env: "Env", fileName: "file", dirName: "dir" }), "env");
  t.equal(pickProjectName({ env: "", fileName: "File", dirName: "dir" }), "file");
  t.equal(pickProjectName({ dirName: "My.Dir" }), "mydir");
});
