import t from "tap";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { buildImage } from "../../src/providers/local-runtime/build/build-image.js";
import type { BuildImageOptions, BuildProgress } from "../../src/providers/local-runtime/build/build-types.js";
import { runCommand } from "../../src/providers/local-runtime/host/run-command.js";
import { imageFiles, layerEntries, makeBuildHarness } from "./build-harness.js";

const h = await makeBuildHarness();
t.teardown(() => h.cleanup());

const DOCKERFILE = `# every instruction, three stages used, one skipped
ARG BASE=busybox
FROM \${BASE} AS builder
ARG GREETING=hello
RUN mkdir -p /out && echo "$GREETING" > /out/greeting && echo lower > /out/remove-me

FROM builder AS tools
RUN rm /out/remove-me

FROM scratch AS unused
COPY nothing-here /x

FROM busybox AS final
LABEL org.example.name="demo app" version=1
ENV APP_HOME=/srv/app MODE=prod
WORKDIR $APP_HOME
COPY --chown=33:33 --chmod=640 site/ ./site/
COPY --from=tools /out/ /from-tools/
COPY --from=busybox /etc/passwd /copied-passwd
ADD bundle.tar.gz /unpacked/
COPY <<EOF /etc/inline.conf
mode=\${MODE}
EOF
SHELL ["/bin/sh", "-ec"]
RUN echo "$MODE in $(pwd)" > ran.txt
USER www-data
RUN id -u > /tmp/uid
EXPOSE 8080 53/udp
VOLUME /data
STOPSIGNAL SIGQUIT
HEALTHCHECK --interval=5s --timeout=2s --retries=4 CMD wget -q -O- localhost:8080 || exit 1
ONBUILD RUN echo triggered > /tmp/onbuild
CMD ["-f", "-p", "8080"]
ENTRYPOINT ["httpd"]
`;

const ctx = await h.context({
  Dockerfile: DOCKERFILE,
  "site/index.html": "<h1>hi</h1>\n",
  "site/draft.log": "not shipped\n",
  "site/keep.log": "shipped\n",
  "secret.txt": "s3cret\n",
  ".dockerignore": "**/*.log\n!site/keep.log\nsecret.txt\n",
});
// A gzip tar with an owner and an executable, made by GNU tar.
const tarSrc = join(h.dir, "tarsrc");
await mkdir(join(tarSrc, "bin"), { recursive: true });
await writeFile(join(tarSrc, "bin", "tool"), "#!/bin/sh\necho tool\n", { mode: 0o755 });
await runCommand("tar", ["--owner=1000", "--group=1000", "--numeric-owner", "-czf", join(ctx, "bundle.tar.gz"), "-C", tarSrc, "bin"]);

async function build(extra: Partial<BuildImageOptions> = {}) {
  const events: BuildProgress[] = [];
  const r = await buildImage(h.store, { contextDir: ctx, tags: ["demo:1"], buildArgs: { GREETING: "hi" }, onProgress: (e) => events.push(e), ...extra });
  return { r, events, rec: await h.store.mustResolve(r.names[0] ?? r.id) };
}

const first = await build();

t.test("config follows Docker's semantics", async (t) => {
  const c = first.rec.config.config as Record<string, unknown>;
  t.same(c.Env, ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "APP_HOME=/srv/app", "MODE=prod"]);
  t.same(c.Cmd, ["-f", "-p", "8080"], "a CMD of this stage survives ENTRYPOINT");
  t.same(c.Entrypoint, ["httpd"]);
  t.equal(c.WorkingDir, "/srv/app");
  t.equal(c.User, "www-data");
  t.same(c.ExposedPorts, { "8080/tcp": {}, "53/udp": {} });
  t.same(c.Volumes, { "/data": {} });
  t.same(c.Labels, { "org.example.name": "demo app", version: "1" });
  t.equal(c.StopSignal, "SIGQUIT");
  t.same(c.Healthcheck, { Test: ["CMD-SHELL", "wget -q -O- localhost:8080 || exit 1"], Interval: 5e9, Timeout: 2e9, Retries: 4 });
  t.same(c.Shell, ["/bin/sh", "-ec"]);
  t.same(c.OnBuild, ["RUN echo triggered > /tmp/onbuild"]);
  const hist = first.rec.config.history ?? [];
  const withLayer = hist.filter((x) => !x.empty_layer);
  t.equal(withLayer.length, first.rec.manifest.layers.length, "one non-empty history entry per layer");
  t.equal(first.rec.config.rootfs.diff_ids.length, first.rec.manifest.layers.length);
  t.ok(hist.find((x) => x.created_by?.startsWith("ENV "))?.empty_layer, "ENV is an empty layer");
  t.ok(hist.find((x) => x.created_by?.startsWith("LABEL "))?.empty_layer, "LABEL is an empty layer");
  t.notOk(hist.find((x) => x.created_by?.startsWith("COPY --chown"))?.empty_layer, "COPY makes a layer");
  t.ok(hist.some((x) => x.created_by === "RUN /bin/sh -ec echo \"$MODE in $(pwd)\" > ran.txt"), "RUN goes through SHELL");
});

t.test("files, modes and owners in the image", async (t) => {
  const f = await imageFiles(h.store, first.rec);
  const idx = f.get("srv/app/site/index.html");
  t.ok(idx, "COPY of a directory copies its contents");
  t.equal(idx?.mode, 0o640, "--chmod");
  t.same([idx?.uid, idx?.gid], [33, 33], "--chown");
  t.equal(Buffer.from(idx?.data ?? []).toString(), "<h1>hi</h1>\n");
  t.notOk(f.has("srv/app/site/draft.log"), ".dockerignore **/*.log");
  t.ok(f.has("srv/app/site/keep.log"), ".dockerignore !site/keep.log");
  t.equal(Buffer.from(f.get("from-tools/greeting")?.data ?? []).toString(), "hi\n", "--build-arg reaches RUN; COPY --from a stage");
  t.notOk(f.has("from-tools/remove-me"), "the file the tools stage deleted is gone");
  t.ok(f.get("copied-passwd")?.data?.length, "COPY --from an image");
  const tool = f.get("unpacked/bin/tool");
  t.equal(tool?.mode, 0o755, "ADD unpacks a local gzip tar, modes kept");
  t.same([tool?.uid, tool?.gid], [1000, 1000], "owners from the archive kept");
  t.notOk(f.has("unpacked/bundle.tar.gz"));
  t.equal(Buffer.from(f.get("etc/inline.conf")?.data ?? []).toString(), "mode=prod\n", "COPY here-document, expanded");
  t.equal(Buffer.from(f.get("srv/app/ran.txt")?.data ?? []).toString(), "prod in /srv/app\n", "RUN in WORKDIR with ENV");
  t.equal(Buffer.from(f.get("tmp/uid")?.data ?? []).toString(), "33\n", "RUN as USER");
  t.equal(f.get("srv/app")?.type, "dir", "WORKDIR created the directory");
});

t.test("a RUN that deletes a lower file leaves a whiteout", async (t) => {
  const r = await buildImage(h.store, { contextDir: ctx, tags: ["demo-tools:1"], target: "tools", buildArgs: { GREETING: "hi" } });
  const rec = await h.store.mustResolve("demo-tools:1");
  const top = await layerEntries(h.store, rec.manifest.layers[rec.manifest.layers.length - 1]!.digest);
  t.ok(top.has("out/.wh.remove-me"), "whiteout entry in the RUN layer");
  t.equal(top.get("out/.wh.remove-me")?.type, "file");
  const f = await imageFiles(h.store, rec);
  t.notOk(f.has("out/remove-me"));
  t.ok(f.has("out/greeting"));
  t.notOk(f.has("srv"), "--target stops at the stage");
  t.equal(r.ran, 0, "both steps were cached from the first build");
});

t.test("cached rebuild, one file changed, --no-cache", async (t) => {
  const again = await build();
  t.equal(again.r.id, first.r.id, "a fully cached rebuild gives the same image id");
  t.equal(again.r.ran, 0);
  t.equal(again.r.cached, 10, "every layer step (2 in the first stages, 8 in the last) comes from the cache");
  t.equal(again.events.filter((e) => e.kind === "cached").length, 10);

  await writeFile(join(ctx, "site/index.html"), "<h1>changed</h1>\n");
  const changed = await build();
  t.equal(changed.r.cached, 3, "RUNs of the first stages and WORKDIR come from the cache");
  t.equal(changed.r.ran, 7, "from the changed COPY on, everything runs again");
  t.not(changed.r.id, first.r.id);
  const steps = changed.events.filter((e) => e.kind === "step" || e.kind === "cached").map((e) => (e.kind === "step" ? e.text.split(" ")[0] : "cached"));
  const copyAt = steps.indexOf("COPY", steps.indexOf("WORKDIR"));
  t.notOk(steps.slice(copyAt).includes("cached"), "no cache hit after the changed COPY");

  const nc = await build({ noCache: true });
  t.equal(nc.r.cached, 0);
  t.equal(nc.r.ran, 10);
  const copyLayer = (rec: typeof nc.rec) => rec.config.rootfs.diff_ids[1 + rec.config.history!.filter((x) => !x.empty_layer).slice(1).findIndex((x) => x.created_by?.startsWith("COPY --chown"))];
  t.equal(copyLayer(nc.rec), copyLayer(changed.rec), "COPY layers are deterministic: same content, same digest");
});

t.test("errors", async (t) => {
  const missing = await h.context({ Dockerfile: "FROM busybox\nCOPY missing.txt /x\n", "present.txt": "x" });
  await t.rejects(buildImage(h.store, { contextDir: missing, tags: ["bad:1"] }), { code: "INFRA_BUILD_COPY_SOURCE_MISSING", message: /Dockerfile:2: .*missing\.txt/ });

  const ignored = await h.context({ Dockerfile: "FROM busybox\nCOPY secret.txt /x\n", "secret.txt": "s", ".dockerignore": "secret.txt\n" });
  await t.rejects(buildImage(h.store, { contextDir: ignored, tags: ["bad:1"] }), { code: "INFRA_BUILD_COPY_SOURCE_MISSING", message: /excluded by \.dockerignore: secret\.txt/ });

  const stage = await h.context({ Dockerfile: "FROM busybox AS a\nFROM busybox\nCOPY --from=nosuch /x /y\n" });
  await t.rejects(buildImage(h.store, { contextDir: stage, tags: ["bad:1"] }), { code: "INFRA_BUILD_BASE_NOT_FOUND", message: /Dockerfile:3: COPY --from nosuch: no such image or build stage/ });
  await t.rejects(buildImage(h.store, { contextDir: stage, tags: ["bad:1"], target: "zzz" }), { code: "INFRA_BUILD_TARGET_NOT_FOUND", message: /zzz/ });

  const failing = await h.context({ Dockerfile: "FROM busybox\nRUN echo made > /made\nRUN echo about to fail && exit 3\nCMD [\"true\"]\n" });
  const out: string[] = [];
  await t.rejects(buildImage(h.store, { contextDir: failing, tags: ["fail:1"], onProgress: (e) => { if (e.kind === "output") out.push(e.data); } }), {
    code: "INFRA_BUILD_RUN_FAILED", message: /Dockerfile:3: The command '\/bin\/sh -c echo about to fail && exit 3' returned a non-zero code: 3/,
  });
  t.match(out.join(""), /about to fail/, "the step's output was streamed");
  t.equal(await h.store.resolve("fail:1"), undefined, "no image was tagged");
  t.same(await h.leftovers(), { mounts: [], runc: [], buildDirs: [] }, "no mounts, containers or scratch dirs left");
});

t.test("ONBUILD triggers run when the image is a base; ENTRYPOINT drops an inherited CMD", async (t) => {
  const child = await h.context({ Dockerfile: "FROM demo:1\nENTRYPOINT [\"/bin/cat\"]\n" });
  await buildImage(h.store, { contextDir: child, tags: ["child:1"] });
  const rec = await h.store.mustResolve("child:1");
  const f = await imageFiles(h.store, rec);
  t.equal(Buffer.from(f.get("tmp/onbuild")?.data ?? []).toString(), "triggered\n");
  t.equal(rec.config.config?.Cmd ?? null, null, "inherited CMD reset by ENTRYPOINT");
  t.notOk((rec.config.config as Record<string, unknown>).OnBuild, "triggers are not inherited further");
});
