/**
 * Builds an image from a Dockerfile on the local image store. Every stage the target needs is
 * built in file order; each instruction is a step whose key chains on its parent's. Layer
 * steps (RUN, COPY, ADD, WORKDIR) run in an overlay rootfs of the parent's layers and keep the
 * diff as a new layer, unless the cache has the key; config-only steps just change the config.
 * Nothing is tagged until every step succeeded; temporary mounts and containers are removed
 * whatever happens.
 */
import { randomBytes } from "node:crypto";
import { lstat, mkdir, readFile, rm, rmdir } from "node:fs/promises";
import { isAbsolute, join, posix } from "node:path";
import { isProviderError } from "../../contract.js";
import { resolveUser } from "../container/resolve-user.js";
import { DEFAULT_PATH } from "../container/oci-defaults.js";
import { sha256 } from "../image/digest.js";
import type { ImageStore } from "../image/image-store.js";
import { MEDIA, type ImageConfig, type ImageManifest, type ImageRecord } from "../image/image-types.js";
import { at, buildError } from "./build-error.js";
import { BuildCache, stepKey, type CacheEntry } from "./build-cache.js";
import type { BuildImageOptions, BuildProgress, BuildResult, StageState } from "./build-types.js";
import { prepareCopy, type FromRoot } from "./copy-step.js";
import { walkTree, type SourceTree } from "./copy-sources.js";
import { contextIgnoreRules, isIgnored, mayReinclude } from "../../../graph/dockerignore.js";
import { assertBuildable, parseDockerfile } from "./dockerfile-parser.js";
import type { DockerfileInstruction } from "./dockerfile-types.js";
import { applyConfigInstruction, commandArgv, CONFIG_ONLY, DEFAULT_SHELL, flagValue, type BuildRuntimeConfig } from "./image-config-update.js";
import { diffUpperDir, type LayerDiffOptions } from "./layer-diff.js";
import { resolveStages, type ResolvedStage } from "./resolve-stages.js";
import { runStep } from "./run-step.js";
import { mkdirInRoot, readFileInRoot } from "./scoped-path.js";
import { stageByRef, stagesToBuild } from "./stage-plan.js";
import { StepRootfs } from "./step-rootfs.js";

const FIXED_TIME = "1970-01-01T00:00:00Z";
const BUILTIN_ARGS = {
  TARGETPLATFORM: "linux/amd64", TARGETOS: "linux", TARGETARCH: "amd64", TARGETVARIANT: "",
  BUILDPLATFORM: "linux/amd64", BUILDOS: "linux", BUILDARCH: "amd64", BUILDVARIANT: "",
};
/** Mount points runc creates when missing; they are not part of what a RUN changed. */
const RUNTIME_MOUNTPOINTS = ["proc", "sys", "sys/fs/cgroup", "dev", "dev/pts", "dev/shm", "dev/mqueue", "etc/resolv.conf", "etc/hosts"];

function clone<T>(v: T): T {
  return JSON.parse(JSON.stringify(v ?? null)) as T;
}

export async function buildImage(store: ImageStore, opts: BuildImageOptions): Promise<BuildResult> {
  return new Builder(store, opts).run();
}

class Builder {
  private readonly file: string;
  private readonly cache: BuildCache;
  private readonly buildDir: string;
  private readonly done = new Map<number, StageState>();
  private contextTree: Promise<SourceTree> | undefined;
  private stages: ResolvedStage[] = [];
  private cached = 0;
  private ran = 0;

  constructor(private readonly store: ImageStore, private readonly opts: BuildImageOptions) {
    this.file = opts.dockerfile ?? "Dockerfile";
    this.cache = new BuildCache(store);
    this.buildDir = join(store.layout.root, "build", randomBytes(6).toString("hex"));
  }

  private progress(e: BuildProgress): void {
    this.opts.onProgress?.(e);
  }

  private checkAbort(): void {
    if (this.opts.signal?.aborted) throw buildError("Unavailable", "CANCELLED", "the build was cancelled", "run it again");
  }

  async run(): Promise<BuildResult> {
    const path = isAbsolute(this.file) ? this.file : join(this.opts.contextDir, this.file);
    let text: string;
    try {
      text = await readFile(path, "utf8");
    } catch {
      throw buildError("NotFound", "DOCKERFILE_MISSING", `cannot read the Dockerfile ${path}`, "give its path with -f, relative to the context");
    }
    const parsed = parseDockerfile(text, { file: this.file });
    for (const d of parsed.diagnostics) this.progress({ kind: "warning", message: d.summary });
    // The parser keeps what Docker's parser keeps (unknown flags, no FROM...); a build refuses it here.
    assertBuildable(parsed, this.file);
    const resolved = resolveStages(parsed.instructions, this.opts.buildArgs ?? {}, { file: this.file, escapeToken: parsed.escapeToken, builtinArgs: BUILTIN_ARGS });
    this.stages = resolved.stages;
    const stages = stagesToBuild(resolved, this.opts.target, this.file);
    const total = stages.reduce((n, s) => n + 1 + s.instructions.length, 0);
    let step = 0;
    await mkdir(this.buildDir, { recursive: true, mode: 0o700 });
    try {
      let last: StageState | undefined;
      for (const stage of stages) {
        this.checkAbort();
        this.progress({ kind: "step", step: ++step, total, text: stage.from.original });
        const st = await this.startStage(stage, resolved.globalScope);
        for (const ins of stage.instructions) {
          this.checkAbort();
          this.progress({ kind: "step", step: ++step, total, text: ins.original });
          await this.instruction(st, ins, stage);
        }
        this.done.set(stage.index, st);
        last = st;
      }
      return await this.commit(last!);
    } finally {
      await rm(this.buildDir, { recursive: true, force: true });
      await rmdir(join(this.store.layout.root, "build")).catch(() => undefined);
    }
  }

  private async startStage(stage: ResolvedStage, globalScope: ReturnType<typeof resolveStages>["globalScope"]): Promise<StageState> {
    let st: StageState;
    if (stage.baseStage !== undefined) {
      const base = this.done.get(stage.baseStage)!;
      st = { ...clone({ layers: base.layers, diffIds: base.diffIds, history: base.history }), stage: { config: clone(base.stage.config), shell: [...base.stage.shell], cmdSet: false }, scope: base.scope, chainKey: base.chainKey, created: base.created, architecture: base.architecture, os: base.os };
    } else if (stage.base.toLowerCase() === "scratch") {
      st = { layers: [], diffIds: [], history: [], stage: { config: {}, shell: [...DEFAULT_SHELL], cmdSet: false }, scope: globalScope, chainKey: "scratch", created: FIXED_TIME, architecture: "amd64", os: "linux" };
    } else {
      const img = await this.resolveImage(stage.base, stage.from.line, "FROM");
      const cfg = clone(img.config.config ?? {}) as BuildRuntimeConfig;
      st = { layers: clone(img.manifest.layers), diffIds: [...img.config.rootfs.diff_ids], history: clone(img.config.history ?? []), stage: { config: cfg, shell: cfg.Shell ?? [...DEFAULT_SHELL], cmdSet: false }, scope: globalScope, chainKey: `image:${img.id}`, created: img.config.created ?? FIXED_TIME, architecture: img.config.architecture, os: img.config.os };
    }
    const env: Record<string, string> = {};
    for (const kv of st.stage.config.Env ?? []) {
      const i = kv.indexOf("=");
      if (i > 0) env[kv.slice(0, i)] = kv.slice(i + 1);
    }
    st.scope = globalScope.stage(env);
    // Triggers of the base run first, and are not inherited further.
    const triggers = st.stage.config.OnBuild ?? [];
    st.stage.config.OnBuild = null;
    for (const t of triggers) {
      const triggerFile = `${this.file} (ONBUILD of ${stage.base})`;
      const parsed = parseDockerfile(`FROM scratch\n${t}\n`, { file: triggerFile });
      assertBuildable(parsed, triggerFile);
      const ins = parsed.instructions[1];
      if (ins) await this.instruction(st, { ...ins, line: stage.from.line }, stage);
    }
    return st;
  }

  private async resolveImage(name: string, line: number, what: string): Promise<ImageRecord> {
    let img: ImageRecord | undefined;
    try {
      img = await this.store.resolve(name);
    } catch (e) {
      if (!isProviderError(e)) throw e;
    }
    if (!img) throw buildError("NotFound", "BASE_NOT_FOUND", `${at(this.file, line)}${what} ${name}: no such image or build stage`, "pull or import the image first (`infra pull`), or name an earlier stage; `busybox` and `scratch` are built in");
    return img;
  }

  private async instruction(st: StageState, ins: DockerfileInstruction, stage: ResolvedStage): Promise<void> {
    const name = ins.instruction;
    try {
      if (CONFIG_ONLY.has(name)) return this.configStep(st, ins);
      switch (name) {
        case "WORKDIR": return await this.workdirStep(st, ins);
        case "RUN": return await this.runStepFor(st, ins);
        case "COPY":
        case "ADD": return await this.copyStep(st, ins, stage);
        default:
          throw buildError("Invalid", "UNSUPPORTED_INSTRUCTION", `${at(this.file, ins.line)}${name} is not supported here`);
      }
    } catch (e) {
      // Expansion errors and image-level errors get the line of the instruction.
      if (isProviderError(e) && !e.message.startsWith(`${this.file}:`)) throw buildError(e.category, e.code.replace(/^INFRA_(BUILD|RUNTIME)_/, ""), `${at(this.file, ins.line)}${e.message}`, e.hint, e);
      throw e;
    }
  }

  private configStep(st: StageState, ins: DockerfileInstruction): void {
    const createdBy = applyConfigInstruction(st.stage, ins, st.scope);
    st.chainKey = stepKey(st.chainKey, { i: ins.instruction, createdBy });
    if (ins.instruction !== "ARG") st.history.push({ created: st.created, created_by: createdBy, empty_layer: true });
  }

  private async workdirStep(st: StageState, ins: DockerfileInstruction): Promise<void> {
    const raw = st.scope.expandWord(Array.isArray(ins.args) ? ins.args.join(" ") : ins.args);
    const dir = posix.resolve(st.stage.config.WorkingDir || "/", raw);
    st.stage.config.WorkingDir = dir;
    await this.layerStep(st, { i: "WORKDIR", dir }, `WORKDIR ${dir}`, async (rootfs) => { await mkdirInRoot(rootfs, dir); }, { fixedMtime: 0 });
  }

  private async runStepFor(st: StageState, ins: DockerfileInstruction): Promise<void> {
    if (flagValue(ins.flags, "mount") !== undefined)
      throw buildError("Invalid", "RUN_MOUNT_UNSUPPORTED", `${at(this.file, ins.line)}RUN --mount is not supported by this builder`, "copy what the command needs with COPY instead");
    const net = flagValue(ins.flags, "network") ?? "default";
    if (!["default", "none", "host"].includes(net))
      throw buildError("Invalid", "RUN_NETWORK", `${at(this.file, ins.line)}RUN --network=${net} is not supported`, "use --network=none (the default here) or --network=host");
    const network = net === "host" ? "host" : "none";
    const argv = this.runArgv(st, ins);
    const cfg = st.stage.config;
    const env = new Map<string, string>();
    for (const kv of cfg.Env ?? []) {
      const i = kv.indexOf("=");
      if (i > 0) env.set(kv.slice(0, i), kv.slice(i + 1));
    }
    const args = Object.entries(st.scope.argRecord()).filter(([k, v]) => v !== undefined && !env.has(k)).sort(([a], [b]) => (a < b ? -1 : 1)) as Array<[string, string]>;
    for (const [k, v] of args) env.set(k, v);
    if (!env.has("PATH")) env.set("PATH", DEFAULT_PATH);
    const argText = args.length > 0 ? `|${args.length} ${args.map(([k, v]) => `${k}=${v}`).join(" ")} ` : "";
    const createdBy = `RUN ${argText}${argv.join(" ")}`;
    await this.layerStep(st, { i: "RUN", argv, args, network, env: cfg.Env ?? [], user: cfg.User ?? "", wd: cfg.WorkingDir ?? "" }, createdBy, async (rootfs, stepDir, drop) => {
      for (const p of RUNTIME_MOUNTPOINTS) if (!(await lstat(join(rootfs, p)).then(() => true, () => false))) drop.add(p);
      let user;
      try {
        user = resolveUser(cfg.User || "0", await readFileInRoot(rootfs, "/etc/passwd"), await readFileInRoot(rootfs, "/etc/group"));
      } catch (e) {
        if (!isProviderError(e)) throw e;
        throw buildError("Invalid", "RUN_USER", `${at(this.file, ins.line)}${e.message}`, e.hint);
      }
      const r = await runStep({
        layout: this.store.layout, rootfs, bundleDir: join(stepDir, "bundle"), args: argv, env: [...env].map(([k, v]) => `${k}=${v}`),
        cwd: cfg.WorkingDir || "/", uid: user.uid, gid: user.gid, additionalGids: user.additionalGids, network,
        onOutput: (stream, data) => this.progress({ kind: "output", stream, data }),
        ...(this.opts.signal ? { signal: this.opts.signal } : {}),
      });
      if (r.exitCode !== 0)
        throw buildError("Invalid", "RUN_FAILED", `${at(this.file, ins.line)}The command '${argv.join(" ")}' returned a non-zero code: ${r.exitCode}`, "the output above shows why; fix the command and build again (steps before it are cached)");
    }, {});
  }

  /** RUN's argv: exec form; a lone here-document as the script; else the shell line with bodies. */
  private runArgv(st: StageState, ins: DockerfileInstruction): string[] {
    const hds = ins.heredocs ?? [];
    if (ins.json || hds.length === 0) return commandArgv(ins, st.stage.shell);
    const line = typeof ins.args === "string" ? ins.args : ins.args.join(" ");
    const only = hds[0];
    if (hds.length === 1 && only && /^<<-?["']?\w+["']?$/.test(line.trim())) {
      const content = only.content;
      if (content.startsWith("#!")) return [...st.stage.shell, content];
      return [...st.stage.shell, content];
    }
    return [...st.stage.shell, `${line}\n${hds.map((h) => `${h.content}${h.content.endsWith("\n") ? "" : "\n"}${h.name}`).join("\n")}`];
  }

  private async copyStep(st: StageState, ins: DockerfileInstruction, stage: ResolvedStage): Promise<void> {
    const mounts: StepRootfs[] = [];
    try {
      const prepared = await prepareCopy(ins, st.scope, {
        file: this.file,
        context: () => (this.contextTree ??= this.walkContext()),
        fromRoot: (ref) => this.fromRoot(ref, stage, ins.line, mounts),
        ...(this.opts.signal ? { signal: this.opts.signal } : {}),
      });
      const wd = st.stage.config.WorkingDir || "/";
      await this.layerStep(st, { ...prepared.keyParts, wd }, ins.original, (rootfs) => prepared.apply(rootfs, wd), { fixedMtime: 0 });
    } finally {
      for (const m of mounts) await m.dispose();
    }
  }

  private async walkContext(): Promise<SourceTree> {
    const rules = contextIgnoreRules(await readFile(join(this.opts.contextDir, ".dockerignore"), "utf8").catch(() => ""));
    return walkTree(this.opts.contextDir, "", (rel, isDir) => (!isIgnored(rules, rel) ? "keep" : isDir && mayReinclude(rules, rel) ? "descend" : "skip"));
  }

  private async fromRoot(ref: string, stage: ResolvedStage, line: number, mounts: StepRootfs[]): Promise<FromRoot> {
    const found = stageByRef(this.stages, ref, stage.index);
    const dep = found && this.done.has(found.index) ? found : undefined;
    let lowers: string[];
    let identity: string;
    if (dep) {
      const st = this.done.get(dep.index)!;
      lowers = await this.lowers(st);
      identity = st.chainKey;
    } else {
      const img = await this.resolveImage(ref, line, "COPY --from");
      lowers = await this.store.layerDirs(img);
      identity = `image:${img.id}`;
    }
    const m = await StepRootfs.mount(this.buildDir, lowers, { readOnly: true });
    mounts.push(m);
    return { root: m.rootfs, identity };
  }

  private lowers(st: StageState): Promise<string[]> {
    const rec = { id: "", digest: "", names: [], size: 0, created: st.created, config: { architecture: st.architecture, os: st.os, rootfs: { type: "layers", diff_ids: st.diffIds } }, manifest: { schemaVersion: 2, config: { mediaType: MEDIA.ociConfig, digest: "", size: 0 }, layers: st.layers } } as ImageRecord;
    return this.store.layerDirs(rec);
  }

  /** A step that may produce a layer: from the cache, or run in a fresh overlay and diffed. */
  private async layerStep(st: StageState, keyParts: Record<string, unknown>, createdBy: string, exec: (rootfs: string, stepDir: string, drop: Set<string>) => Promise<void>, diff: LayerDiffOptions): Promise<void> {
    const key = stepKey(st.chainKey, keyParts);
    if (!this.opts.noCache) {
      const hit = await this.cache.get(key);
      if (hit) {
        this.progress({ kind: "cached" });
        this.cached++;
        this.applyEntry(st, key, createdBy, hit);
        return;
      }
    }
    const step = await StepRootfs.mount(this.buildDir, await this.lowers(st));
    try {
      const drop = new Set<string>();
      await exec(step.rootfs, step.dir, drop);
      await step.unmount();
      const tar = await diffUpperDir(step.upper, join(step.dir, "layer.tar"), { ...diff, drop });
      const entry: CacheEntry = { layer: null, created: new Date().toISOString().replace(/\.\d+Z$/, "Z") };
      if (tar) {
        const digest = await this.store.putBlob(tar);
        entry.layer = { digest, size: tar.length, mediaType: MEDIA.ociLayer, diffId: sha256(tar) };
        this.progress({ kind: "layer", digest, size: tar.length });
      }
      await this.cache.put(key, entry);
      this.ran++;
      this.applyEntry(st, key, createdBy, entry);
    } finally {
      await step.dispose();
    }
  }

  private applyEntry(st: StageState, key: string, createdBy: string, e: CacheEntry): void {
    if (e.layer) {
      st.layers.push({ mediaType: e.layer.mediaType, digest: e.layer.digest, size: e.layer.size });
      st.diffIds.push(e.layer.diffId);
      st.history.push({ created: e.created, created_by: createdBy });
    } else st.history.push({ created: e.created, created_by: createdBy, empty_layer: true });
    st.created = e.created > st.created ? e.created : st.created;
    st.chainKey = key;
  }

  /** Writes config and manifest, then tags: the only point where the build becomes visible. */
  private async commit(st: StageState): Promise<BuildResult> {
    const runtime = clone(st.stage.config) as BuildRuntimeConfig;
    if (runtime.OnBuild === null || runtime.OnBuild?.length === 0) delete runtime.OnBuild;
    const config: ImageConfig & { author?: string } = {
      created: st.created, architecture: st.architecture, os: st.os, config: runtime,
      rootfs: { type: "layers", diff_ids: st.diffIds }, history: st.history,
    };
    if (st.stage.author !== undefined) config.author = st.stage.author;
    const configBytes = Buffer.from(JSON.stringify(config));
    const configDigest = await this.store.putBlob(configBytes);
    const manifest: ImageManifest = { schemaVersion: 2, mediaType: MEDIA.ociManifest, config: { mediaType: MEDIA.ociConfig, digest: configDigest, size: configBytes.length }, layers: st.layers };
    const manifestBytes = Buffer.from(JSON.stringify(manifest));
    const rec = await this.store.addManifestBytes(manifestBytes, this.opts.tags);
    this.progress({ kind: "done", id: rec.id, digest: rec.digest, names: rec.names });
    return { id: rec.id, digest: rec.digest, names: rec.names, cached: this.cached, ran: this.ran };
  }
}
