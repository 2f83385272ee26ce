import t from "tap";
import { upperEntriesToLayer } from "../../src/providers/local-runtime/build/layer-diff.js";
import { isIgnored, parseDockerignore } from "../../src/graph/dockerignore.js";
import { planCopy } from "../../src/providers/local-runtime/build/copy-plan.js";
import type { SourceEntry, SourceTree } from "../../src/providers/local-runtime/build/copy-sources.js";
import { matchSources } from "../../src/providers/local-runtime/build/copy-sources.js";
import { stepKey } from "../../src/providers/local-runtime/build/build-cache.js";
import { tarEntry } from "../../src/providers/local-runtime/image/tar-entry.js";
import { renderBuildProgress, parseBuildArgs } from "../../src/cli/commands/build.js";

t.test("upper dir entries become an OCI layer", async (t) => {
  const data = Buffer.from("x");
  const out = upperEntriesToLayer([
    tarEntry("./", "dir"),
    tarEntry("./etc/", "dir", { mtime: 99 }),
    tarEntry("./etc/motd", "char", { devmajor: 0, devminor: 0 }),
    tarEntry("./var/", "dir", { xattrs: { "trusted.overlay.opaque": "y", "trusted.overlay.origin": "z" } }),
    tarEntry("./b", "file", { data }),
    tarEntry("./a", "hardlink", { linkname: "./b" }),
    tarEntry("./proc/", "dir"),
  ], { fixedMtime: 0, drop: new Set(["proc"]) });
  t.same(out.map((e) => [e.path, e.type]), [
    ["a", "file"], ["b", "hardlink"], ["etc", "dir"], ["etc/.wh.motd", "file"], ["var", "dir"], ["var/.wh..wh..opq", "file"],
  ], "sorted, whiteouts converted, hardlink group led by the first path, dropped mount point gone");
  t.same(out.find((e) => e.path === "var")?.xattrs, {}, "overlay xattrs removed");
  t.equal(out.find((e) => e.path === "b")?.linkname, "a");
  t.same(Buffer.from(out.find((e) => e.path === "a")?.data ?? []), data);
  t.equal(out.find((e) => e.path === "etc")?.mtime, 0, "fixed mtime");
});

t.test(".dockerignore rules as Docker applies them", async (t) => {
  const r = parseDockerignore("# c\n*.log\n!keep.log\n/build/\ndocs/**/*.md\n**/tmp\n");
  t.ok(isIgnored(r, "a.log"));
  t.notOk(isIgnored(r, "keep.log"), "! re-includes");
  t.notOk(isIgnored(r, "sub/a.log"), "* stays in one segment");
  t.ok(isIgnored(r, "build/x/y"), "a matched directory excludes its contents");
  t.ok(isIgnored(r, "docs/a/b/c.md"));
  t.ok(isIgnored(r, "docs/c.md"), "** matches zero segments");
  t.ok(isIgnored(r, "x/y/tmp/z"));
  t.notOk(isIgnored(r, "src/main.ts"));
});

t.test("COPY placement rules", async (t) => {
  const e = (rel: string, type: SourceEntry["type"] = "file"): SourceEntry => ({ rel, abs: `/ctx/${rel}`, type, mode: 0o644, uid: 1000, gid: 1000, size: 1, linkname: "" });
  const tree: SourceTree = { root: "/ctx", entries: new Map([["", e("", "dir")], ["a.txt", e("a.txt")], ["b.txt", e("b.txt")], ["d", e("d", "dir")], ["d/x", e("d/x")]]) };
  t.same(matchSources(tree, "*.txt").map((x) => x.rel), ["a.txt", "b.txt"]);
  t.same(matchSources(tree, "./d/../a.txt").map((x) => x.rel), ["a.txt"], "cleaned");
  const one = planCopy([{ tree, entry: e("a.txt") }], { dest: "/app/file", destExistsAsDir: false, keepOwners: false, what: "COPY" });
  t.same(one.map((i) => [i.dest, i.uid]), [["/app/file", 0]], "file to a file path; context files belong to root");
  const dir = planCopy([{ tree, entry: e("d", "dir") }], { dest: "/app/", destExistsAsDir: false, keepOwners: true, chmod: 0o600, what: "COPY" });
  t.same(dir.map((i) => [i.dest, i.mode, i.uid]), [["/app", 0o600, 1000], ["/app/x", 0o600, 1000]], "directory contents, --chmod, --from keeps owners");
  t.throws(() => planCopy([{ tree, entry: e("a.txt") }, { tree, entry: e("b.txt") }], { dest: "/app", destExistsAsDir: false, keepOwners: false, what: "COPY" }), { code: "INFRA_BUILD_COPY_DEST_NOT_DIR" });
});

t.test("cache keys chain", async (t) => {
  const a = stepKey("image:x", { i: "RUN", argv: ["a"] });
  t.equal(a, stepKey("image:x", { argv: ["a"], i: "RUN" }), "canonical: key order does not matter");
  t.not(a, stepKey("image:y", { i: "RUN", argv: ["a"] }), "the parent is part of the key");
});

t.test("CLI rendering and --build-arg", async (t) => {
  t.equal(renderBuildProgress({ kind: "step", step: 3, total: 10, text: "RUN make" }), "Step 3/10 : RUN make\n");
  t.equal(renderBuildProgress({ kind: "cached" }), " ---> Using cache\n");
  t.same(parseBuildArgs(["A=1", "B", "C"], { B: "from-env" }), { A: "1", B: "from-env" });
});
