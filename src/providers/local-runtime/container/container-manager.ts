/**
 * The container lifecycle on one host: create, start (overlay root, netns, bundle, a monitor:
 * infra-shim, or conmon + runc start), exit handling (from the monitors' exit files), stop, kill,
 * pause, update, remove, and re-adoption of running containers after an engine restart. State is
 * one JSON file per container, written atomically after every transition.
 */
import { randomBytes } from "node:crypto";
import { existsSync, lstatSync, mkdirSync, readFileSync, renameSync, rmSync, watch, writeFileSync, type FSWatcher } from "node:fs";
import { lstat, mkdir, readFile, readdir, rm } from "node:fs/promises";
import { join } from "node:path";
import type { ContainerSpec, MountSpec, NetworkAttachmentSpec, ResourcesSpec, RestartSpec } from "../../../graph/specs.js";
import type { Layout } from "../layout.js";
import { containerPaths } from "../layout.js";
import { readReplacedFile, writeJsonAtomic } from "../host/atomic-write.js";
import type { HostHelper } from "../host/host-helper.js";
import { mountOverlay, unmountOverlay } from "../host/overlay-mount.js";
import type { ImageStore } from "../image/image-store.js";
import type { ImageRecord } from "../image/image-types.js";
import type { Endpoint, NetworkManager } from "../network/network-types.js";
import { runtimeError } from "../runtime-error.js";
import type { VolumeStore } from "../volume/volume-store.js";
import { readCgroupStats } from "./cgroups.js";
import { initialiseVolumes, ociMounts, resolveMounts } from "./container-mounts.js";
import { ContainerNetworking, checkNetworkMode } from "./container-network.js";
import { guard, settledRecord, type ContainerRecord, type HealthState } from "./container-record.js";
import { findMonitors, killQuietly } from "./host-leftovers.js";
import { faultPoint } from "../host/fault-point.js";
import { logRepair } from "../host/repair-log.js";
import { effectiveNetworks, withConnected, withDisconnected } from "./network-attachments.js";
import { renderHosts, renderResolvConf } from "./etc-files.js";
import { HealthMonitor } from "./health-monitor.js";
import { healthHostFor } from "./health-probe.js";
import { resolveHealthcheck } from "./health-check.js";
import { EngineHousekeeping } from "./engine-housekeeping.js";
import { conmonLogSizeMax } from "./log-rotation.js";
import { mergeImageConfig } from "./merge-image-config.js";
import { containerCgroupDirs, startMonitor } from "./monitor.js";
import { findShim, SpareShims } from "./shim.js";
import { ociDevices } from "./device-nodes.js";
import { buildOciSpec } from "./oci-spec.js";
import { decideRestart } from "./restart-policy.js";
import { resolveUser } from "./resolve-user.js";
import { releaseRuncState } from "./release-runc-state.js";
import { Runc } from "./runc.js";
import type { EngineEvents } from "../engine/engine-events.js";
import { validateContainerSpec } from "./validate-spec.js";

export interface ContainerManagerOptions {
  layout: Layout;
  images: ImageStore;
  volumes: VolumeStore;
  network?: NetworkManager;
  /** Why `network` is missing although networking is on (its manager failed to start). */
  networkError?: string;
  /** Hard rlimits of the engine process (the bundle never asks for more). */
  hostHardLimits?: Record<string, number>;
  /** The engine's infra-host (shared with the network manager): mounts and namespaces without spawning programs. */
  hostHelper?: HostHelper;
  /** An infra-host of its own for root filesystem mounts (else hostHelper's). */
  mountHelper?: HostHelper;
  /** Keep an infra-shim started ahead of the next start (the engine; close() ends it); needs infra-host. */
  spareShim?: boolean;
  /** The engine's event bus (`infra events`): every record change and removal is published to it. */
  events?: EngineEvents;
}

const NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

export interface StartHooks {
  /** Runs once conmon holds the created container, before `runc start` (attach here to miss no output); implies conmon. */
  beforeStart?: (id: string) => Promise<void>;
}

export class ContainerManager {
  readonly runc: Runc;
  /** Network namespaces and attachments per network mode (D2). */
  readonly net: ContainerNetworking;
  private records = new Map<string, ContainerRecord>();
  private waiters = new Map<string, Array<() => void>>();
  private restartTimers = new Map<string, NodeJS.Timeout>();
  private lastDelay = new Map<string, number>();
  private watcher: FSWatcher | undefined;
  private poll: NodeJS.Timeout | undefined;
  private exiting = new Set<string>();
  private starting = new Map<string, Promise<ContainerRecord>>();
  /** Containers being removed: autoRemove leaves them to the removal under way. */
  private removing = new Map<string, Promise<void>>();
  /** Exited `--rm` containers whose clean-up follows the reply (retire), and their last records. */
  private tearingDown = new Map<string, Promise<void>>();
  private retired = new Map<string, ContainerRecord>();
  /** Resolves once the clean-ups retire() deferred have begun (their network release queued). */
  private tearDownsBegun: Promise<void> | undefined;
  /** Containers between the stop and the start of `restart`: an `--rm` one stays. */
  private restarting = new Set<string>();
  /** A shim waiting for the next start (engines only: see ContainerManagerOptions.spareShim). */
  private spares: SpareShims | undefined;
  /** Readers of a container's directory (`logs -f`) that its removal waits for. */
  private dirHolds = new Map<string, { n: number; free: Array<() => void> }>();
  /** Health-check timers (D3): fed every record this manager writes. */
  readonly health: HealthMonitor;
  /** Log rotation and cgroup-parent cleanup (D3), run from the sweep. */
  readonly housekeeping: EngineHousekeeping;
  /** Work that follows a reply (removed containers' directories, --rm containers' runc state), in order. */
  private afterReply: Promise<unknown> = Promise.resolve();

  constructor(readonly opts: ContainerManagerOptions) {
    this.runc = new Runc(opts.layout.runcRoot);
    this.net = new ContainerNetworking({
      layout: opts.layout,
      ...(opts.network ? { network: opts.network } : {}),
      ...(opts.networkError !== undefined ? { networkError: opts.networkError } : {}),
      ...(opts.hostHelper ? { hostHelper: opts.hostHelper } : {}),
      find: (x) => this.find(x),
      list: () => this.list(true),
    });
    this.health = new HealthMonitor(healthHostFor(this));
    this.housekeeping = new EngineHousekeeping(this);
  }

  get layout(): Layout {
    return this.opts.layout;
  }

  /** Loads records, settles containers that exited while no engine watched, starts watching. */
  async init(opts: { boot?: boolean } = {}): Promise<void> {
    const l = this.layout;
    for (const d of [l.containersDir, l.runcRoot, l.exitDir, l.socketDir]) await mkdir(d, { recursive: true, mode: 0o700 });
    void this.emptyTrash(); // directories of containers removed just before a crash
    const lost: string[] = [];
    for (const id of await readdir(l.containersDir)) {
      try {
        const rec = JSON.parse(readReplacedFile(containerPaths(l, id).record)) as ContainerRecord;
        this.records.set(rec.id, rec);
      } catch (e) {
        // No record, or a torn one: a crash during create, or a host crash that took an --rm
        // container's unsynced record. Nothing of it runs.
        if ((e as NodeJS.ErrnoException).code === "ENOENT" || e instanceof SyntaxError) lost.push(id);
      }
    }
    // What a kill left: interrupted transitions first, then what no running container holds.
    if (opts.boot) {
      await this.repairTransitions();
      await this.housekeeping.repairAtStart();
    }
    // A lost record's directory goes unless something is still mounted there (the repair unmounts what it may).
    const mounts = await readFile("/proc/self/mountinfo", "utf8");
    for (const id of lost) {
      if (mounts.includes(` ${containerPaths(l, id).dir}/`)) continue;
      await this.discardDir(id);
      if (opts.boot) logRepair("container", `removed the directory of container ${id.slice(0, 12)}: it has no record`);
    }
    // Spare shims come from infra-host (the mount helper: least busy when replies have gone).
    const spawner = this.opts.mountHelper ?? this.opts.hostHelper;
    const shim = this.opts.spareShim && spawner ? findShim() : undefined;
    if (shim !== undefined && spawner !== undefined) {
      const spares = new SpareShims(shim, join(l.run, "shim-spares.sock"), spawner);
      if (await spares.listen()) {
        this.spares = spares;
        spares.refill();
      }
    }
    this.watcher = watch(l.exitDir, (_ev, file) => { if (file) this.checkExitSoon(file.toString()); });
    this.poll = setInterval(() => void this.sweep().catch(() => undefined), 1000); // the next sweep tries again
    this.poll.unref();
    await this.sweep();
    for (const r of this.records.values()) this.health.observe(r);
    // `--rm` containers that exited before an engine removed them (a crash between exit and removal).
    for (const r of [...this.records.values()]) if (r.autoRemove && r.state === "exited") this.autoRemoveLater(r.id);
    if (opts.boot) {
      for (const r of this.records.values()) {
        const p = r.spec.restart?.policy;
        if (r.state === "exited" && !this.restartTimers.has(r.id) && (p === "always" || (p === "unless-stopped" && !r.manuallyStopped)))
          await this.start(r.id).catch((e: unknown) => this.noteError(r.id, e));
      }
    }
  }

  async close(): Promise<void> {
    this.watcher?.close();
    if (this.poll) clearInterval(this.poll);
    this.health.stop();
    this.spares?.close();
    for (const t of this.restartTimers.values()) clearTimeout(t);
    await Promise.all(this.tearingDown.values());
    await this.afterReply;
    await this.housekeeping.close(this.records.size === 0);
  }

  /** Catches exits the watcher missed and containers whose monitor died. */
  private async sweep(): Promise<void> {
    await this.housekeeping.run().catch(() => undefined);
    for (const r of [...this.records.values()]) {
      if (r.state !== "running" && r.state !== "paused") continue;
      await this.checkExit(r.id);
      if (this.records.get(r.id)?.state === "running" && r.conmonPid !== undefined && !alive(r.conmonPid)) await this.checkExit(r.id, true);
    }
  }

  list(all = true): ContainerRecord[] {
    return [...this.records.values()].filter((r) => all || r.state === "running" || r.state === "paused")
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  }

  find(idOrName: string): ContainerRecord | undefined {
    const byName = [...this.records.values()].find((r) => r.name === idOrName);
    if (byName) return byName;
    const exact = this.records.get(idOrName);
    if (exact) return exact;
    if (idOrName.length >= 3) {
      const hits = [...this.records.values()].filter((r) => r.id.startsWith(idOrName));
      if (hits.length === 1) return hits[0];
    }
    return undefined;
  }

  get(idOrName: string): ContainerRecord {
    const r = this.find(idOrName);
    if (!r) throw runtimeError("NotFound", "CONTAINER_NOT_FOUND", `no such container: ${idOrName}`, "`infra ps -a` lists containers");
    return r;
  }

  private async save(r: ContainerRecord): Promise<void> {
    const prev = this.records.get(r.id);
    this.records.set(r.id, r);
    await writeJsonAtomic(containerPaths(this.layout, r.id).record, r, { sync: durableChange(prev, r) });
    this.health.observe(r);
    this.opts.events?.containerChanged(prev, r);
  }

  /** Stores a health result unless the container stopped or restarted since the probe began. */
  async setHealth(id: string, startedAt: string, health: HealthState): Promise<void> {
    const cur = this.records.get(id);
    if (!cur || cur.state !== "running" || cur.startedAt !== startedAt) return;
    await this.save({ ...cur, health });
  }

  /** Image ids used by any container (rmi refuses them). */
  imagesInUse(): Set<string> {
    return new Set([...this.records.values()].map((r) => r.imageId));
  }

  volumeUsers(name: string): string[] {
    return [...this.records.values()].filter((r) => r.mounts.some((m) => m.type === "volume" && m.source === name)).map((r) => r.name);
  }

  async create(spec: ContainerSpec, opts: { autoRemove?: boolean } = {}): Promise<ContainerRecord> {
    validateContainerSpec(spec, this.opts.hostHardLimits ?? {});
    checkNetworkMode(spec);
    if (!NAME.test(spec.name))
      throw runtimeError("Invalid", "BAD_CONTAINER_NAME", `invalid container name '${spec.name}'`, "use letters, digits, '_', '.', '-', starting with a letter or digit");
    if (this.find(spec.name)?.name === spec.name)
      throw runtimeError("AlreadyExists", "CONTAINER_EXISTS", `a container named '${spec.name}' already exists`, "remove it or pick another name");
    const image = await this.opts.images.mustResolve(spec.image);
    mergeImageConfig(image.config.config, { ...spec, hostname: spec.hostname ?? spec.name }); // fails early on "no command"
    resolveHealthcheck(spec.healthcheck, image.config.config?.Healthcheck); // and on a bad health check
    const extra: MountSpec[] = [];
    for (const vf of spec.volumesFrom ?? []) {
      const donor = this.get(vf.container);
      for (const m of donor.mounts) if (m.type !== "tmpfs") extra.push({ ...m, readOnly: vf.readOnly ?? m.readOnly ?? false });
    }
    const mounts = await resolveMounts([...(spec.mounts ?? []), ...extra], Object.keys(image.config.config?.Volumes ?? {}), this.opts.volumes);
    const id = randomBytes(32).toString("hex");
    const rec: ContainerRecord = {
      id,
      name: spec.name,
      spec,
      imageId: image.id,
      createdAt: new Date().toISOString(),
      state: "created",
      restartCount: 0,
      manuallyStopped: false,
      cgroupsPath: `${this.layout.cgroupParent}/${id}`,
      anonymousVolumes: mounts.filter((m) => m.type === "volume" && !(spec.mounts ?? []).some((s) => s.source === m.source) && !extra.some((e) => e.source === m.source)).map((m) => m.source!),
      mounts,
      ...(opts.autoRemove ? { autoRemove: true } : {}),
    };
    mkdirSync(containerPaths(this.layout, id).dir, { recursive: true, mode: 0o700 });
    await this.save(rec);
    return rec;
  }

  /** `restarting`: started by the restart policy (counts towards on-failure:N). */
  async start(idOrName: string, restarting = false, hooks: StartHooks = {}): Promise<ContainerRecord> {
    const id = this.get(idOrName).id;
    // One start at a time per container: the restart policy and engine boot may race.
    const prev = this.starting.get(id) ?? Promise.resolve();
    const run = prev.catch(() => undefined).then(() => this.startNow(id, restarting, hooks));
    this.starting.set(id, run);
    try {
      return await run;
    } finally {
      if (this.starting.get(id) === run) this.starting.delete(id);
    }
  }

  private async startNow(idOrName: string, restarting: boolean, hooks: StartHooks): Promise<ContainerRecord> {
    const rec = this.get(idOrName);
    guard(rec, "start");
    const p = containerPaths(this.layout, rec.id);
    const spec = rec.spec;
    const image = await this.opts.images.mustResolve(rec.imageId);
    let network: ContainerRecord["network"];
    // Before the first effect: a kill from here on leaves a record the next engine knows to undo.
    await this.save({ ...rec, transition: "starting" });
    try {
      // A retired container's addresses and ports are released before this one is wired.
      if (this.tearDownsBegun) await this.tearDownsBegun;
      // The root filesystem and the network namespace do not depend on each other: both at once.
      const [mounted, attached] = await Promise.allSettled([this.mountRootfs(rec, image), this.net.attach(rec)]);
      if (attached.status === "fulfilled") network = attached.value.network;
      if (mounted.status === "rejected") throw mounted.reason;
      if (attached.status === "rejected") throw attached.reason;
      faultPoint("container-start:prepared", rec.name);
      const att = attached.value;
      const netnsPath = att.netnsPath;
      // A joiner shares its donor's hostname and /etc files (Docker's container:NAME).
      const donor = att.donor;
      const etc = donor ? containerPaths(this.layout, donor.id) : p;
      const hostname = donor ? (donor.spec.hostname ?? donor.name.slice(0, 63)) : (spec.hostname ?? rec.name.slice(0, 63));
      const domainname = donor ? donor.spec.domainname : spec.domainname;
      const merged = mergeImageConfig(image.config.config, { ...spec, hostname });
      const user = resolveUser(merged.user, readImageFile(p.rootfs, "etc/passwd"), readImageFile(p.rootfs, "etc/group"));
      if (!donor) await this.writeEtcFiles(rec, hostname, network);
      await initialiseVolumes(rec.mounts, p.rootfs, this.opts.volumes);
      let args = merged.args;
      const mounts = await ociMounts(rec.mounts, this.opts.volumes);
      if (spec.init) {
        const tini = await findTini();
        mounts.push({ destination: "/sbin/docker-init", type: "bind", source: tini, options: ["bind", "ro"] });
        args = ["/sbin/docker-init", "--", ...args];
      }
      for (const [dest, src] of [["/etc/hostname", etc.hostname], ["/etc/hosts", etc.hosts], ["/etc/resolv.conf", etc.resolvConf]] as const)
        if (!rec.mounts.some((m) => m.target === dest)) mounts.push({ destination: dest, type: "bind", source: src, options: ["rbind", "rprivate"] });
      const oci = buildOciSpec({
        hostname,
        ...(domainname ? { domainname } : {}),
        process: { args, env: merged.env, cwd: merged.cwd, uid: user.uid, gid: user.gid, additionalGids: user.additionalGids, terminal: spec.tty ?? false },
        rootfs: p.rootfs,
        readOnlyRootfs: spec.readOnlyRootfs ?? false,
        privileged: spec.privileged ?? false,
        capAdd: spec.capAdd ?? [],
        capDrop: spec.capDrop ?? [],
        noNewPrivileges: spec.noNewPrivileges ?? true,
        netns: netnsPath,
        mounts,
        resources: spec.resources ?? {},
        hostHardLimits: this.opts.hostHardLimits ?? {},
        ulimits: spec.ulimits ?? [],
        sysctls: spec.sysctls ?? {},
        devices: ociDevices(spec.devices ?? []),
        cgroupsPath: rec.cgroupsPath,
        annotations: { "infra.name": rec.name },
      });
      writeFileSync(p.configJson, JSON.stringify(oci), { mode: 0o600 }); // its env may hold secrets
      rmSync(p.exitFile, { force: true });
      rmSync(p.persist, { recursive: true, force: true });
      mkdirSync(p.persist, { recursive: true });
      rmSync(join(this.layout.socketDir, rec.id), { recursive: true, force: true });
      if (existsSync(join(this.layout.runcRoot, rec.id))) await this.runc.delete(rec.id);
      await this.housekeeping.parentsSettled();
      // infra-shim runs it at once (`runc run -d`); conmon creates it and `runc start` follows.
      const monitor = await startMonitor({
        id: rec.id, name: rec.name, bundle: p.bundle, pidFile: p.pidFile, conmonPidFile: p.conmonPid,
        logPath: p.log, exitDir: this.layout.exitDir, socketDir: this.layout.socketDir, persistDir: p.persist,
        runcRoot: this.layout.runcRoot, terminal: spec.tty ?? false, stdin: spec.stdinOpen ?? false,
        ...(conmonLogSizeMax(spec.logging) !== undefined ? { logSizeMax: conmonLogSizeMax(spec.logging)! } : {}),
      }, { needsCreatedState: hooks.beforeStart !== undefined, ...(this.spares ? { spares: this.spares } : {}) });
      faultPoint("container-start:monitor", rec.name);
      const pid = monitor.pid;
      const conmonPid = monitor.monitorPid;
      const cgroupDirs = await containerCgroupDirs(this.layout.runcRoot, rec.id, pid).catch(() => ({}));
      if (!monitor.running) {
        await hooks.beforeStart?.(rec.id);
        await this.runc.start(rec.id);
      }
      const next: ContainerRecord = { ...rec, state: "running", pid, cgroupDirs, netnsPath, startedAt: new Date().toISOString(), manuallyStopped: false, restartCount: rec.restartCount + (restarting ? 1 : 0) };
      if (conmonPid !== undefined) next.conmonPid = conmonPid;
      if (network) next.network = network;
      delete next.exitCode;
      delete next.finishedAt;
      delete next.oomKilled;
      delete next.health; // a new run starts its checks afresh
      await this.save(next);
      // A short container may have exited (exit file written) before this record said running.
      this.checkExitSoon(rec.id);
      return next;
    } catch (e) {
      await this.runc.delete(rec.id);
      // The namespace file stays until rm; addresses and ports go unless joiners use them.
      if (network) await this.net.afterExit({ ...rec, network }).catch(() => undefined);
      await this.unmountRootfs(rec.id);
      const cur = this.records.get(rec.id);
      if (cur?.transition === "starting") await this.save(settledRecord(cur)).catch(() => undefined);
      throw e;
    }
  }

  /** Records a kill left in a transition (boot only): a start is undone, a removal finished; each logged. */
  private async repairTransitions(): Promise<void> {
    for (const r of [...this.records.values()]) {
      if (r.transition === undefined) continue;
      const what = `container ${r.name} (${r.id.slice(0, 12)})`;
      try {
        if (r.transition === "removing") {
          this.records.set(r.id, settledRecord(r));
          await this.removeNow(r.id, { force: true, volumes: r.removeVolumes === true });
          logRepair("container", `${what}: finished a removal that a kill interrupted`);
        } else {
          await this.undoStart(r);
          logRepair("container", `${what}: undid a start that a kill interrupted (it is ${r.state} again)`);
        }
      } catch (e) {
        logRepair("container", `${what}: could not repair the interrupted ${r.transition}: ${(e as Error).message}`);
      }
    }
  }

  /** What an interrupted start made goes: the container and its monitor, runc's state, the mount, the addresses. */
  private async undoStart(r: ContainerRecord): Promise<void> {
    await this.runc.delete(r.id); // --force: ends what runs, removes its state and cgroups
    for (const m of await findMonitors(this.layout)) if (m.id === r.id) killQuietly(m.pid);
    await this.cleanupAfterExit(r);
    if ((r.spec.networkMode ?? "bridge") === "bridge" && this.net.runningJoiners(r).length === 0) await this.opts.network?.tearDownContainer(r.id);
    await this.save(settledRecord(r));
  }

  private async mountRootfs(rec: ContainerRecord, image: ImageRecord): Promise<void> {
    const p = containerPaths(this.layout, rec.id);
    let lowers = await this.opts.images.layerDirs(image);
    for (const d of [p.rootfs, p.upper, p.work]) mkdirSync(d, { recursive: true });
    if (lowers.length === 0) {
      const empty = join(p.dir, "empty");
      mkdirSync(empty, { recursive: true });
      lowers = [empty];
    }
    const dirs = { lowers, upper: p.upper, work: p.work, target: p.rootfs };
    const helper = this.opts.mountHelper ?? this.opts.hostHelper;
    // Whatever an earlier start left mounted goes first. Through the helper both requests go out
    // at once (it answers in order): one round trip.
    if (helper) await Promise.all([unmountOverlay(p.rootfs, helper), mountOverlay(dirs, helper)]);
    else {
      await this.unmountRootfs(rec.id);
      await mountOverlay(dirs);
    }
  }

  private async unmountRootfs(id: string): Promise<void> {
    await unmountOverlay(containerPaths(this.layout, id).rootfs, this.opts.mountHelper ?? this.opts.hostHelper);
  }

  /** Handles the exit file of a container if conmon wrote one (or the monitor is gone). */
  async checkExit(id: string, monitorGone = false): Promise<void> {
    if (!this.mayExit(id)) return;
    const p = containerPaths(this.layout, id);
    let text: string | undefined;
    try {
      text = readFileSync(p.exitFile, "utf8");
    } catch {
      if (!monitorGone) return;
    }
    // The watcher, the sweep and start all call this: another call may have taken the exit meanwhile.
    const rec = this.records.get(id);
    if (!rec || !this.mayExit(id)) return;
    this.exiting.add(id);
    try {
      const code = text !== undefined && text.trim() !== "" ? Number(text.trim()) : -1;
      let oom = existsSync(join(p.persist, "oom"));
      if (!oom && rec.cgroupDirs && code === 137) oom = (await readCgroupStats(rec.cgroupDirs).catch(() => undefined))?.oomKills ? true : false;
      // --rm: removed at once, unless a removal is under way already (it takes over then).
      if (rec.autoRemove && !this.removing.has(id) && !this.restarting.has(id)) return this.retire(rec, code, oom);
      const keptNetwork = await this.cleanupAfterExit(rec);
      const finishedAt = new Date().toISOString();
      const next: ContainerRecord = { ...rec, state: "exited", exitCode: code, oomKilled: oom, finishedAt };
      if (!keptNetwork) delete next.network;
      delete next.pid;
      delete next.conmonPid;
      if (next.health) next.health = { ...next.health, status: "unhealthy" };
      await this.save(next);
      for (const w of this.waiters.get(id) ?? []) w();
      this.waiters.delete(id);
      // An --rm container here is being removed (rm -f) or restarted: neither needs more from us.
      if (!next.autoRemove) this.scheduleRestart(next);
    } finally {
      this.exiting.delete(id);
    }
  }

  /**
   * An exited `--rm` container leaves at once: out of the list, its name free, its waiters told
   * (with the exited record, `lastRecord`). Its clean-up (mount, namespace, addresses, runc state,
   * volumes, directory) follows the reply; requests to the engine but `run` wait for it
   * (`settled`), so that nobody sees its leftovers, and a start waits until its network release is
   * queued (`tearDownsBegun`). A clean-up that fails brings the record back, with the error. After
   * an engine crash meanwhile, the next engine finds the record and removes the container again.
   */
  private retire(rec: ContainerRecord, exitCode: number, oomKilled: boolean): void {
    const id = rec.id;
    const exited: ContainerRecord = { ...rec, state: "exited", exitCode, oomKilled, finishedAt: new Date().toISOString() };
    delete exited.network;
    delete exited.pid;
    delete exited.conmonPid;
    this.records.delete(id);
    this.retired.set(id, exited);
    this.health.observe(exited);
    this.opts.events?.containerChanged(rec, exited);
    for (const w of this.waiters.get(id) ?? []) w();
    this.waiters.delete(id);
    // Begun in the next turn: the reply (the last log lines, the exit code) goes out first.
    const begun = new Promise<void>((r) => setImmediate(r));
    this.tearDownsBegun = begun;
    const done = begun.then(() => this.tearDown(rec))
      .catch(async (e: unknown) => {
        this.records.set(id, exited);
        await this.noteError(id, e);
      })
      .finally(() => {
        this.tearingDown.delete(id);
        this.retired.delete(id);
      });
    this.tearingDown.set(id, done);
  }

  /** What rm does after the exit's clean-up, for a retired `--rm` container (`rec`: as it ran). */
  private async tearDown(rec: ContainerRecord): Promise<void> {
    await this.cleanupAfterExit(rec);
    await this.net.release(rec);
    await this.removeAnonymousVolumes(rec);
    await this.dirReleased(rec.id);
    await this.discardDir(rec.id);
    this.housekeeping.afterRemove(rec, this.records.size === 0);
    this.opts.events?.containerDestroyed(rec);
  }

  /**
   * Resolves once the clean-up of exited `--rm` containers has finished (at most `maxMs` later):
   * a request that follows a `run --rm` finds no trace of its container.
   */
  async settled(maxMs = 5000): Promise<void> {
    if (this.tearingDown.size === 0) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(this.tearingDown.values()), new Promise<void>((r) => { timer = setTimeout(r, maxMs); })]);
    clearTimeout(timer);
  }

  /** The record, also of an `--rm` container that exited a moment ago (while its clean-up runs). */
  lastRecord(id: string): ContainerRecord | undefined {
    return this.records.get(id) ?? this.retired.get(id);
  }

  /** Starts a spare shim for the next start if the last one was taken: when a reply has gone. */
  refillSpare(): void {
    this.spares?.refill();
  }

  /** Keeps the container's directory (its log) until the returned function is called: `logs -f` reads to the end. */
  holdDir(id: string): () => void {
    const h = this.dirHolds.get(id) ?? { n: 0, free: [] };
    h.n++;
    this.dirHolds.set(id, h);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      if (--h.n > 0) return;
      this.dirHolds.delete(id);
      for (const f of h.free) f();
    };
  }

  private dirReleased(id: string): Promise<void> {
    const h = this.dirHolds.get(id);
    return h ? new Promise((r) => h.free.push(r)) : Promise.resolve();
  }

  private mayExit(id: string): boolean {
    const rec = this.records.get(id);
    return rec !== undefined && (rec.state === "running" || rec.state === "paused") && !this.exiting.has(id);
  }

  /** checkExit from an event nobody awaits: a failure goes on the record, never crashes the engine. */
  private checkExitSoon(id: string): void {
    void this.checkExit(id).catch((e: unknown) => this.noteError(id, e));
  }

  /** After the processes are gone. Returns whether the network attachments stay (running joiners). */
  private async cleanupAfterExit(rec: ContainerRecord): Promise<boolean> {
    // The host's overlay mount does not depend on runc's state or the network: it goes meanwhile.
    const [kept] = await Promise.all([this.releaseAfterExit(rec), this.unmountRootfs(rec.id)]);
    rmSync(containerPaths(this.layout, rec.id).exitFile, { force: true });
    return kept;
  }

  private async releaseAfterExit(rec: ContainerRecord): Promise<boolean> {
    // runc's state and the network's links do not depend on each other: both at once.
    const [, kept] = await Promise.all([releaseRuncState(this.runc, rec.id, rec.cgroupDirs), this.net.afterExit(rec).catch(() => false)]);
    const donor = await this.net.donorToRelease(rec).catch(() => undefined);
    const d = donor ? this.records.get(donor.id) : undefined;
    if (d) {
      const next = { ...d };
      delete next.network;
      await this.save(next);
    }
    return kept;
  }

  /** /etc/hostname, /etc/hosts and /etc/resolv.conf of a container with its own namespace. */
  private async writeEtcFiles(rec: ContainerRecord, hostname: string, network: ContainerRecord["network"]): Promise<void> {
    const p = containerPaths(this.layout, rec.id);
    const spec = rec.spec;
    const host = spec.networkMode === "host";
    // Bind-mounted into the container: a non-root user there must read them (0644 whatever the umask).
    const etc = { mode: 0o644 };
    writeFileSync(p.hostname, `${hostname}\n`, etc);
    const addrs = network?.endpoints.map((e) => e.ipv4Address) ?? [];
    const hostEtc = host ? readTextOr("/etc/hosts", "") : "";
    writeFileSync(p.hosts, host ? hostEtc : renderHosts({ hostname, addresses: addrs, extraHosts: spec.extraHosts ?? [], entries: network?.hostsEntries ?? [] }), etc);
    const resolvOpts: Parameters<typeof renderResolvConf>[1] = { hostNetwork: host };
    const ns = spec.dns ?? network?.nameservers;
    if (ns?.length) resolvOpts.nameservers = ns;
    if (spec.dnsSearch) resolvOpts.search = spec.dnsSearch;
    if (spec.dnsOptions) resolvOpts.options = spec.dnsOptions;
    writeFileSync(p.resolvConf, renderResolvConf(readTextOr("/etc/resolv.conf", ""), resolvOpts), etc);
  }

  private scheduleRestart(rec: ContainerRecord): void {
    const uptimeMs = rec.startedAt ? Date.now() - Date.parse(rec.startedAt) : 0;
    const d = decideRestart({ policy: rec.spec.restart, exitCode: rec.exitCode ?? -1, manuallyStopped: rec.manuallyStopped, restartCount: rec.restartCount, uptimeMs, lastDelayMs: this.lastDelay.get(rec.id) ?? 0 });
    if (!d.restart) return;
    this.lastDelay.set(rec.id, d.delayMs);
    const t = setTimeout(() => {
      this.restartTimers.delete(rec.id);
      const cur = this.records.get(rec.id);
      if (!cur || cur.state !== "exited" || cur.manuallyStopped) return;
      void this.start(rec.id, true).catch((e: unknown) => this.noteError(rec.id, e));
    }, d.delayMs);
    t.unref();
    this.restartTimers.set(rec.id, t);
  }

  /** After the current turn, so that whoever waited for the exit still reads the exited record. */
  private autoRemoveLater(id: string): void {
    setImmediate(() => {
      // Someone (the /run request, `rm`) may be removing it already.
      if (!this.records.has(id) || this.removing.has(id)) return;
      void this.remove(id, { force: true, volumes: true }).catch((e: unknown) => this.noteError(id, e));
    });
  }

  /** A failure nobody waits for (restart, boot) is kept on the record for inspect. */
  private async noteError(id: string, e: unknown): Promise<void> {
    const cur = this.records.get(id);
    if (cur) await this.save({ ...cur, lastError: (e as Error).message }).catch(() => undefined);
  }

  /** Resolves true when the container is not running (now or within the timeout). */
  waitExit(id: string, timeoutMs = Infinity): Promise<boolean> {
    const rec = this.records.get(id);
    if (!rec || (rec.state !== "running" && rec.state !== "paused")) return Promise.resolve(true);
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const done = () => { if (timer) clearTimeout(timer); resolve(true); };
      this.waiters.set(id, [...(this.waiters.get(id) ?? []), done]);
      if (Number.isFinite(timeoutMs)) timer = setTimeout(() => {
        this.waiters.set(id, (this.waiters.get(id) ?? []).filter((w) => w !== done));
        resolve(false);
      }, timeoutMs);
    });
  }

  async kill(idOrName: string, signal = "SIGKILL"): Promise<void> {
    const rec = this.get(idOrName);
    guard(rec, "kill");
    this.opts.events?.containerSignalled(rec, "kill", signal);
    await this.save({ ...rec, manuallyStopped: true });
    await this.runc.kill(rec.id, signal);
  }

  async stop(idOrName: string, timeoutSec?: number): Promise<ContainerRecord> {
    const rec = this.get(idOrName);
    this.cancelRestart(rec.id);
    if (rec.state !== "running" && rec.state !== "paused") {
      if (rec.state === "exited" && !rec.manuallyStopped) await this.save({ ...rec, manuallyStopped: true });
      return this.get(rec.id);
    }
    await this.save({ ...rec, manuallyStopped: true });
    if (rec.state === "paused") await this.runc.resume(rec.id);
    await this.runc.kill(rec.id, rec.spec.stopSignal ?? "SIGTERM");
    const t = (timeoutSec ?? rec.spec.stopTimeout ?? 10) * 1000;
    if (!(await this.waitExit(rec.id, t))) {
      await this.runc.kill(rec.id, "SIGKILL", true);
      if (!(await this.waitExit(rec.id, 10000))) await this.checkExit(rec.id, true);
    }
    this.opts.events?.containerSignalled(rec, "stop");
    return this.lastRecord(rec.id) ?? this.get(rec.id);
  }

  async restart(idOrName: string, timeoutSec?: number): Promise<ContainerRecord> {
    const id = this.get(idOrName).id;
    this.restarting.add(id);
    try {
      const rec = await this.stop(id, timeoutSec);
      return await this.start(rec.id);
    } finally {
      this.restarting.delete(id);
      // An --rm container whose start failed is removed, as at any exit.
      if (this.records.get(id)?.autoRemove && this.records.get(id)?.state === "exited") this.autoRemoveLater(id);
    }
  }

  private cancelRestart(id: string): void {
    const t = this.restartTimers.get(id);
    if (t) clearTimeout(t);
    this.restartTimers.delete(id);
  }

  async pause(idOrName: string): Promise<void> {
    const rec = this.get(idOrName);
    guard(rec, "pause");
    await this.runc.pause(rec.id);
    await this.save({ ...rec, state: "paused" });
  }

  async unpause(idOrName: string): Promise<void> {
    const rec = this.get(idOrName);
    guard(rec, "unpause");
    await this.runc.resume(rec.id);
    await this.save({ ...rec, state: "running" });
  }

  /** Changes limits (live when running), restart policy and labels in place. */
  async update(idOrName: string, change: { resources?: ResourcesSpec; restart?: RestartSpec; labels?: Record<string, string>; networks?: NetworkAttachmentSpec[] }): Promise<ContainerRecord> {
    const rec = this.get(idOrName);
    const spec: ContainerSpec = { ...rec.spec };
    if (change.resources !== undefined) {
      validateContainerSpec({ ...spec, resources: change.resources }, this.opts.hostHardLimits ?? {});
      spec.resources = change.resources;
    }
    if (change.restart !== undefined) spec.restart = change.restart;
    if (change.labels !== undefined) spec.labels = change.labels;
    if (change.resources && (rec.state === "running" || rec.state === "paused")) await this.runc.update(rec.id, runcUpdateFlags(change.resources));
    let wired: ContainerRecord["network"];
    if (change.networks !== undefined) {
      // Attachments change on the live namespace (connect/disconnect), no restart.
      const r = await this.net.applyNetworks(rec, change.networks);
      if (r.networks.length > 0) spec.networks = r.networks;
      else delete spec.networks;
      wired = r.network;
    }
    const next = { ...this.get(rec.id), spec };
    if (wired) next.network = wired;
    await this.save(next);
    return next;
  }

  /** `network connect`: live when the container runs, recorded for its next start otherwise. */
  async connectNetwork(idOrName: string, att: NetworkAttachmentSpec): Promise<Endpoint | undefined> {
    const rec = this.get(idOrName);
    const name = await this.net.networkName(att.network);
    if (effectiveNetworks(rec.spec).some((n) => n.network === name))
      throw runtimeError("Conflict", "NETWORK_ALREADY_CONNECTED", `container '${rec.name}' is already connected to network '${name}'`, "disconnect it first to change its address or aliases");
    const next = await this.update(rec.id, { networks: withConnected(rec.spec, { ...att, network: name }) });
    return next.network?.endpoints.find((e) => e.network === name);
  }

  /** `network disconnect`. */
  async disconnectNetwork(idOrName: string, network: string): Promise<void> {
    const rec = this.get(idOrName);
    const name = await this.net.networkName(network);
    if (!effectiveNetworks(rec.spec).some((n) => n.network === name))
      throw runtimeError("NotFound", "NETWORK_NOT_CONNECTED", `container '${rec.name}' is not connected to network '${name}'`, "`infra inspect` shows its networks");
    await this.update(rec.id, { networks: withDisconnected(rec.spec, name) });
  }

  async remove(idOrName: string, opts: { force?: boolean; volumes?: boolean } = {}): Promise<void> {
    const id = this.get(idOrName).id;
    // A second caller (autoRemove and the /run request, both at the exit) waits for the first: two
    // removals at once would race on the container's directory.
    const under = this.removing.get(id);
    if (under) return under;
    const run = this.removeNow(id, opts).finally(() => this.removing.delete(id));
    this.removing.set(id, run);
    return run;
  }

  /**
   * A removed container's directory: one rename takes it out of the containers directory at once
   * (its name and id are free), the files go after the reply. The rename falls back to deleting
   * in place (a trash directory on another filesystem, say).
   */
  private async discardDir(id: string): Promise<void> {
    const dir = containerPaths(this.layout, id).dir;
    const trash = join(this.layout.trashDir, `${id}.${Date.now()}`);
    try {
      mkdirSync(this.layout.trashDir, { recursive: true, mode: 0o700 });
      renameSync(dir, trash);
    } catch {
      await rm(dir, { recursive: true, force: true });
      return;
    }
    this.afterReply = this.afterReply.then(() => rm(trash, { recursive: true, force: true })).catch(() => undefined);
  }

  /** Deletes what is in the trash directory (at start, and by close() for what is still pending). */
  private async emptyTrash(): Promise<void> {
    const left = await readdir(this.layout.trashDir).catch(() => [] as string[]);
    for (const d of left) await rm(join(this.layout.trashDir, d), { recursive: true, force: true }).catch(() => undefined);
  }

  private async removeNow(idOrName: string, opts: { force?: boolean; volumes?: boolean }): Promise<void> {
    let rec = this.get(idOrName);
    this.cancelRestart(rec.id);
    if (opts.force && (rec.state === "running" || rec.state === "paused")) {
      await this.save({ ...rec, manuallyStopped: true });
      if (rec.state === "paused") await this.runc.resume(rec.id).catch(() => undefined);
      await this.runc.kill(rec.id, "SIGKILL", true);
      if (!(await this.waitExit(rec.id, 10000))) await this.checkExit(rec.id, true);
      const cur = this.records.get(rec.id);
      if (!cur) return this.tearingDown.get(rec.id); // an --rm container: retired at its exit
      rec = cur;
    }
    guard(rec, "remove");
    // Before the first effect: a kill from here on leaves a record the next engine knows to finish.
    rec = { ...rec, transition: "removing", ...(opts.volumes ? { removeVolumes: true } : {}) };
    await this.save(rec);
    try {
      // An exited record was saved after its exit's clean-up; one that kept its network (joiners) was not released.
      if (rec.state !== "exited" || rec.network) await this.cleanupAfterExit(rec);
      await this.net.release(rec);
    } catch (e) {
      const cur = this.records.get(rec.id);
      if (cur?.transition === "removing") await this.save(settledRecord(cur)).catch(() => undefined);
      throw e;
    }
    faultPoint("container-remove:cleaned", rec.name);
    await this.discardDir(rec.id);
    this.records.delete(rec.id);
    this.health.observe({ ...rec, state: "exited" });
    this.opts.events?.containerDestroyed(rec);
    this.housekeeping.afterRemove(rec, this.records.size === 0);
    if (opts.volumes) await this.removeAnonymousVolumes(rec);
  }

  private async removeAnonymousVolumes(rec: ContainerRecord): Promise<void> {
    for (const v of rec.anonymousVolumes) if (this.volumeUsers(v).length === 0) await this.opts.volumes.remove(v, []).catch(() => undefined);
  }
}

export function runcUpdateFlags(r: ResourcesSpec): string[] {
  const f: string[] = [];
  if (r.memory !== undefined) f.push("--memory", String(r.memory), "--memory-swap", String(r.memorySwap ?? -1));
  if (r.cpus !== undefined) f.push("--cpu-period", "100000", "--cpu-quota", String(Math.round(r.cpus * 100000)));
  if (r.cpuShares !== undefined) f.push("--cpu-share", String(r.cpuShares));
  if (r.cpusetCpus !== undefined) f.push("--cpuset-cpus", String(r.cpusetCpus));
  if (r.pidsLimit !== undefined) f.push("--pids-limit", String(r.pidsLimit));
  if (r.blkioWeight !== undefined) f.push("--blkio-weight", String(r.blkioWeight));
  return f;
}

/**
 * Whether a save must reach the disk before it counts (fsync): a new record, or a change of what
 * the engine cannot find out again after a host crash (spec, name, a user's stop). Run state
 * (started, exited, health) needs no fsync: a host crash kills the containers anyway, and the
 * next engine settles them from their missing monitors. An `--rm` container never needs one: after
 * a host crash there is nothing of it to keep (a lost record leaves a directory the engine ignores).
 */
export function durableChange(prev: ContainerRecord | undefined, next: ContainerRecord): boolean {
  if (next.autoRemove) return false;
  return prev === undefined || prev.spec !== next.spec || prev.name !== next.name || prev.manuallyStopped !== next.manuallyStopped;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Reads a small text file of the image; a symlink (which could point at the host) reads as empty. */
function readImageFile(rootfs: string, rel: string): string {
  let cur = rootfs;
  for (const part of rel.split("/")) {
    cur = join(cur, part);
    const st = lstatSync(cur, { throwIfNoEntry: false });
    if (!st || st.isSymbolicLink()) return "";
  }
  return readTextOr(cur, "");
}

/**
 * A small file read at once. The start and exit of a container read and write a dozen small
 * files in the engine's own directories: each costs a few µs done synchronously, and ~0.1-0.2 ms
 * as a round trip through the thread pool, which `run` would wait for in turn.
 */
function readTextOr(path: string, fallback: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return fallback;
  }
}

async function findTini(): Promise<string> {
  for (const p of ["/usr/bin/tini-static", "/usr/bin/catatonit"]) if (await lstat(p).then(() => true, () => false)) return p;
  throw runtimeError("Unavailable", "INIT_MISSING", "init: true needs a static init binary (tini-static or catatonit)", "install Debian's tini package");
}
