import t, { type Test } from "tap";
import { existsSync, promises as fs } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { loadStack } from "../../src/dsl/loader/index.js";
import { STARTER_STACK } from "../../src/dsl/starter-stack.js";
import type { InfraError } from "../../src/diag/infra-error.js";

const RUN = `infra-a-loader-${process.pid}-${Date.now().toString(36)}`;

/** A directory outside the repository (so no node_modules above it), removed after the test. */
async function tmpdir(t: Test, files: Record<string, string>): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), `${RUN}-`));
  t.teardown(() => fs.rm(dir, { recursive: true, force: true }));
  for (const [name, text] of Object.entries(files)) {
    await fs.mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await fs.writeFile(path.join(dir, name), text);
  }
  return dir;
}

function load(dir: string, file = "infra.ts") {
  return loadStack({ file: path.join(dir, file), stackName: "demo", cacheDir: path.join(dir, ".infra", "cache") });
}

async function rejection(p: Promise<unknown>): Promise<InfraError> {
  try {
    await p;
  } catch (e) {
    return e as InfraError;
  }
  throw new Error("expected a rejection");
}

t.test("a stack directory without node_modules resolves \"infra\" to the running DSL", async (t) => {
  const dir = await tmpdir(t, {
    "infra.ts": `import { Container, Network, defineStack } from "infra";
import { port } from "./lib";
import { label } from "./more/labels.js";
export default defineStack(async (stack) => {
  await Promise.resolve();
  const net = new Network(stack, "net");
  const db = new Container(stack, "db", { image: "busybox", network: net, labels: label });
  new Container(stack, "web", { image: "busybox", network: net, ports: [port], env: { DB: \`\${db.ipAddress}:5432\` } });
});
`,
    "lib.ts": `export const port: string = "8080:80";\n`,
    "more/labels.ts": `export const label: Record<string, string> = { team: "a" };\n`,
  });
  for (let d = dir; d !== path.dirname(d); d = path.dirname(d)) t.notOk(existsSync(path.join(d, "node_modules")), `no node_modules in ${d}`);
  const r = await load(dir);
  t.same(r.diagnostics, []);
  t.equal(r.typecheckCached, false);
  t.same(r.graph.resources.map((x) => x.address), ["network.net", "container.db", "container.web"], "instanceof works across the loaded stack");
  const web = r.graph.resources[2];
  t.same(web?.props.ports, [{ containerPort: 80, hostPort: 8080, protocol: "tcp" }]);
  t.same(web?.source, { file: path.join(dir, "infra.ts"), line: 8, column: 3 }, "source mapped to the .ts line");
  t.same(r.graph.resources[1]?.props.labels, { team: "a" });
  t.ok(r.timings.typecheckMs > 0 && r.timings.runMs >= 0 && r.timings.synthMs >= 0);
});

t.test("type errors: one diagnostic each, file:line:col and a code frame; passing a Volume as a Network is one", async (t) => {
  const dir = await tmpdir(t, {
    "infra.ts": `import { Container, Volume, defineStack } from "infra";

export default defineStack((stack) => {
  const vol = new Volume(stack, "data");
  new Container(stack, "web", { image: "busybox", network: vol });
  const n: number = "x";
});
`,
  });
  const e = await rejection(load(dir));
  t.equal(e.code, "INFRA_LOAD_TYPE_ERROR");
  t.equal(e.diagnostics.length, 2);
  const [vol, num] = e.diagnostics;
  t.match(vol, { code: "INFRA_LOAD_TYPE_ERROR", location: { file: path.join(dir, "infra.ts"), line: 5, column: 51 } });
  t.match(vol?.summary, /TS2322: Type 'Volume' is not assignable to type '.*Network.*'/);
  t.match(vol?.detail, "> 5 |   new Container(stack, \"web\", { image: \"busybox\", network: vol });");
  t.match(vol?.detail, /\n\s+\|\s{51}\^{7}\n/, "a caret under the bad property");
  t.match(num, { location: { line: 6, column: 9 } });
  t.notOk(existsSync(path.join(dir, ".infra", "cache", "js")), "nothing ran");
});

t.test("an exception in the stack names the .ts line", async (t) => {
  const dir = await tmpdir(t, {
    "infra.ts": `import { Container, defineStack } from "infra";

function check(n: number): void {
  if (n > 1) throw new Error("too many replicas");
}

export default defineStack((stack) => {
  new Container(stack, "web", { image: "busybox" });
  check(2);
});
`,
  });
  const e = await rejection(load(dir));
  t.equal(e.code, "INFRA_LOAD_STACK_THREW");
  t.match(e.summary, "too many replicas");
  t.match(e.detail, `${path.join(dir, "infra.ts")}:4:20`, "the throw, in the .ts file");
  t.match(e.detail, `${path.join(dir, "infra.ts")}:9:3`, "the caller");
  t.notMatch(e.detail, ".mjs", "no compiled file names");
  t.notMatch(e.detail, "loader.test", "the trace stops at the user's frames");
  t.notMatch(e.detail, "load-stack", "the loader's own frames are left out");
});

t.test("an error raised by the DSL inside the stack keeps its hint", async (t) => {
  const dir = await tmpdir(t, {
    "infra.ts": `import { Container, defineStack, secret } from "infra";
export default defineStack((stack) => {
  const pw = secret("hunter2");
  new Container(stack, "web", { image: "busybox", env: { URL: \`postgres://u:\${pw}@db\` } });
});
`,
  });
  const e = await rejection(load(dir));
  t.equal(e.code, "INFRA_LOAD_STACK_THREW");
  t.match(e.summary, "a secret was used inside a string");
  t.match(e.hint, "wrap the whole string");
  t.match(e.detail, `${path.join(dir, "infra.ts")}:4:`);
});

t.test("the second load of an unchanged stack skips the type-check; an edit re-checks", async (t) => {
  const dir = await tmpdir(t, {
    "infra.ts": `import { Container, defineStack } from "infra";\nimport { img } from "./img";\nexport default defineStack((s) => { new Container(s, "a", { image: img }); });\n`,
    "img.ts": `export const img = "busybox";\n`,
  });
  const first = await load(dir);
  t.equal(first.typecheckCached, false);
  const second = await load(dir);
  t.equal(second.typecheckCached, true);
  t.same(second.graph, first.graph);
  await fs.writeFile(path.join(dir, "img.ts"), `export const img: number = "busybox:1";\n`);
  const e = await rejection(load(dir));
  t.equal(e.code, "INFRA_LOAD_TYPE_ERROR", "an imported file's change is seen");
  await fs.writeFile(path.join(dir, "img.ts"), `export const img = "busybox:1";\n`);
  const third = await load(dir);
  t.equal(third.typecheckCached, false);
  t.equal(third.graph.resources[0]?.props.image, "busybox:1", "the new content runs, not a cached module");
  t.equal((await load(dir)).typecheckCached, true);
});

t.test("a missing stack file and a file without a stack", async (t) => {
  const dir = await tmpdir(t, { "other.ts": "export const x = 1;\n" });
  const e = await rejection(load(dir));
  t.match(e, { code: "INFRA_LOAD_NO_STACK", summary: `no stack file at ${path.join(dir, "infra.ts")}` });
  t.match(e.hint, "infra init");
  t.match(e.hint, "-f");
  const e2 = await rejection(load(dir, "other.ts"));
  t.equal(e2.code, "INFRA_LOAD_NO_DEFINITION");
});

t.test("env files merge under env, build contexts get a content hash", async (t) => {
  const dir = await tmpdir(t, {
    "infra.ts": `import { Container, Image, defineStack } from "infra";
export default defineStack((stack) => {
  const img = new Image(stack, "app", { build: { context: "./app", args: { V: "1" } } });
  new Container(stack, "web", { image: img, envFiles: ["base.env", "more.env"], env: { B: "from-stack" }, volumes: ["./www:/www"] });
  new Container(stack, "bad", { image: "busybox", envFiles: "missing.env" });
});
`,
    "base.env": "A=1\nB=from-file\nC=base\n",
    "more.env": "C=more\n",
    "app/Dockerfile": "FROM busybox\nCOPY . /app\n",
    "app/main.sh": "echo hi\n",
    "app/.dockerignore": "*.log\n",
    "app/debug.log": "noise\n",
  });
  const r = await load(dir);
  const web = r.graph.resources.find((x) => x.address === "container.web");
  t.same(web?.props.env, { A: "1", B: "from-stack", C: "more" });
  t.same((web?.props.mounts as unknown[])[0], { type: "bind", source: path.join(dir, "www"), target: "/www", createHostPath: true });
  t.same(r.diagnostics.map((d) => [d.code, d.address]), [["INFRA_LOAD_ENV_FILE", "container.bad"]]);
  const hashOf = (res: typeof r) => (res.graph.resources.find((x) => x.address === "image.app")?.props.build as Record<string, unknown>).contextHash;
  const h1 = hashOf(r);
  t.match(h1, /^sha256:[0-9a-f]{64}$/);
  await fs.writeFile(path.join(dir, "app/debug.log"), "more noise\n");
  t.equal(hashOf(await load(dir)), h1, "an ignored file does not count");
  await fs.writeFile(path.join(dir, "app/main.sh"), "echo bye\n");
  t.not(hashOf(await load(dir)), h1, "a context file does");
});

t.test("the examples and the starter stack type-check and synth without problems", async (t) => {
  const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "../../examples");
  const cacheDir = path.join(await tmpdir(t, {}), "cache");
  const expected: Record<string, number> = { hello: 1, webapp: 4, "two-networks": 5 };
  for (const [name, count] of Object.entries(expected)) {
    const r = await loadStack({ file: path.join(root, name, "infra.ts"), stackName: name, cacheDir });
    t.same(r.diagnostics, [], `${name}: no diagnostics`);
    t.equal(r.graph.resources.length, count, `${name}: ${count} resources`);
  }
  const starter = await tmpdir(t, { "infra.ts": STARTER_STACK });
  const s = await load(starter);
  t.same(s.diagnostics, []);
  t.same(s.graph.resources.map((x) => x.type).sort(), ["container", "container", "network", "volume"]);
  const client = s.graph.resources.find((x) => x.address === "container.client");
  t.same(client?.dependencies, ["container.web", "network.app"], "the client gets the web server's address");
  t.ok(s.graph.resources.some((x) => Array.isArray(x.props.ports) && x.props.ports.length === 1), "a published port");
});

t.test("a stack inside the CLI's own repository (like examples/) is still the user's: checked and transpiled", async (t) => {
  const dir = t.testdir({
    "infra.ts": `import { Container, defineStack } from "infra";\nimport { img } from "./lib";\nexport default defineStack((s) => { new Container(s, "a", { image: img }); });\n`,
    "lib.ts": `export const img: number = "busybox";\n`,
  });
  const e = await rejection(load(dir));
  t.equal(e.code, "INFRA_LOAD_TYPE_ERROR");
  t.match(e.diagnostics[0]?.location, { file: path.join(dir, "lib.ts"), line: 1 });
  await fs.writeFile(path.join(dir, "lib.ts"), `export const img = "busybox";\n`);
  const r = await load(dir);
  t.equal(r.graph.resources[0]?.props.image, "busybox");
});
