/**
 * Every path the engine uses, derived from two roots so that tests with their own roots never
 * meet each other or the host's engine.
 */
import { join } from "node:path";

export interface LayoutOptions {
  /** State root; default `$INFRA_ROOT` or /var/lib/infra. */
  root?: string;
  /** Runtime root (tmpfs-like, lost on reboot); default `$INFRA_RUN` or /run/infra. */
  run?: string;
}

export interface Layout {
  root: string;
  run: string;
  imagesDir: string;
  blobsDir: string;
  layersDir: string;
  imageIndexFile: string;
  containersDir: string;
  /** Removed containers' directories, renamed here at `rm` and deleted after it (same filesystem). */
  trashDir: string;
  volumesDir: string;
  /** runc's state directory (`runc --root`). */
  runcRoot: string;
  /** Where conmon writes exit files (one file per container id). */
  exitDir: string;
  /** conmon attach sockets. */
  socketDir: string;
  engineSocket: string;
  enginePidFile: string;
  /** Where the engine puts container cgroups, relative to its own cgroup. */
  cgroupParent: string;
}

export function resolveLayout(opts: LayoutOptions = {}, env: NodeJS.ProcessEnv = process.env): Layout {
  const root = opts.root ?? env.INFRA_ROOT ?? "/var/lib/infra";
  const run = opts.run ?? env.INFRA_RUN ?? "/run/infra";
  const imagesDir = join(root, "images");
  return {
    root,
    run,
    imagesDir,
    blobsDir: join(imagesDir, "blobs", "sha256"),
    layersDir: join(imagesDir, "layers"),
    imageIndexFile: join(imagesDir, "index.json"),
    containersDir: join(root, "containers"),
    trashDir: join(root, "trash"),
    volumesDir: join(root, "volumes"),
    runcRoot: join(run, "runc"),
    exitDir: join(run, "exits"),
    socketDir: join(run, "sockets"),
    engineSocket: join(run, "engine.sock"),
    enginePidFile: join(run, "engine.pid"),
    cgroupParent: cgroupParentFor(run),
  };
}

/** One cgroup parent per runtime root: two engines (tests) never share cgroups. */
function cgroupParentFor(run: string): string {
  if (run === "/run/infra") return "infra";
  let h = 0;
  for (const ch of run) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return `infra-${h.toString(16)}`;
}

/** Container paths, all inside the container's own directory. */
export function containerPaths(layout: Layout, id: string) {
  const dir = join(layout.containersDir, id);
  return {
    dir,
    record: join(dir, "container.json"),
    bundle: join(dir, "bundle"),
    configJson: join(dir, "bundle", "config.json"),
    rootfs: join(dir, "bundle", "rootfs"),
    upper: join(dir, "upper"),
    work: join(dir, "work"),
    log: join(dir, "container.log"),
    hosts: join(dir, "hosts"),
    resolvConf: join(dir, "resolv.conf"),
    hostname: join(dir, "hostname"),
    conmonPid: join(dir, "conmon.pid"),
    pidFile: join(dir, "pid"),
    persist: join(dir, "persist"),
    exitFile: join(layout.exitDir, id),
  };
}
export type ContainerPaths = ReturnType<typeof containerPaths>;
