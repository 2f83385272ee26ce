/**
 * The normalised model written back as a compose file, in the Compose Specification's own keys
 * and units: durations as Go durations ("1m30s"), sizes as byte counts, restart as
 * "on-failure:3", no internal fields (a service's `name`, `_ms`/`_bytes` keys, `replicas`), and
 * every `$` in a value doubled so that reading the file again does not interpolate it. Keys the
 * model always holds (environment, ports, volumes, depends_on) are left out when empty. Pure.
 */
import type {
  ComposeFileObject,
  ComposeHealthcheck,
  ComposeNetwork,
  ComposePort,
  ComposeProject,
  ComposeResources,
  ComposeService,
  ComposeServiceVolume,
  ComposeVolume,
} from "./compose-model.js";

type Doc = Record<string, unknown>;

/**
 * A file mode, which compose files write in octal (`mode: 0440`): the renderer prints it as an
 * octal number in YAML and as an octal string ("0440") in JSON, which has no octal numbers.
 */
export class FileMode {
  constructor(readonly value: number) {}
  get octal(): string {
    return `0${this.value.toString(8)}`;
  }
}

const mode = (m: number | undefined): FileMode | undefined => (m === undefined ? undefined : new FileMode(m));

/** Milliseconds as a Go duration, the way compose prints them ("1h", "1m30s", "1s500ms", "0s"). */
export function formatDuration(ms: number): string {
  if (ms === 0) return "0s";
  const parts: string[] = [];
  let rest = Math.round(ms);
  for (const [unit, size] of [["h", 3_600_000], ["m", 60_000], ["s", 1000], ["ms", 1]] as const) {
    const n = Math.floor(rest / size);
    if (n > 0) parts.push(`${n}${unit}`);
    rest -= n * size;
  }
  return parts.join("");
}

/** A byte count as compose writes a size (a string of bytes; -1 stays -1, meaning unlimited). */
function formatSize(bytes: number): string {
  return String(bytes);
}

/** Doubles every `$` of every string value (keys are never interpolated, so they stay). */
function escapeDollars(v: unknown): unknown {
  if (typeof v === "string") return v.replaceAll("$", "$$$$");
  if (Array.isArray(v)) return v.map(escapeDollars);
  if (typeof v === "object" && v !== null && !(v instanceof FileMode)) {
    const out: Doc = {};
    for (const [k, x] of Object.entries(v)) out[k] = escapeDollars(x);
    return out;
  }
  return v;
}

/** Copies the entries whose value is defined. */
function defined(entries: Doc): Doc {
  const out: Doc = {};
  for (const [k, v] of Object.entries(entries)) if (v !== undefined) out[k] = v;
  return out;
}

function nonEmpty<T>(v: Record<string, T> | T[]): typeof v | undefined {
  return (Array.isArray(v) ? v.length : Object.keys(v).length) > 0 ? v : undefined;
}

function portRange(first: number, count: number | undefined): string {
  return count !== undefined && count > 1 ? `${first}-${first + count - 1}` : String(first);
}

/**
 * A port in the long syntax, or in the short one when it has a host IP or a range: docker-compose
 * 1.x's long syntax has no `host_ip`, and no syntax but the short one holds a container range.
 */
function port(p: ComposePort): unknown {
  const longOnly = p.mode !== undefined || p.name !== undefined || p.app_protocol !== undefined;
  const ranged = p.count !== undefined && p.count > 1;
  if (longOnly || (p.host_ip === undefined && !ranged)) {
    return defined({ target: p.target, published: p.published, host_ip: p.host_ip, protocol: p.protocol, mode: p.mode, name: p.name, app_protocol: p.app_protocol, ...(ranged && p.published !== undefined ? { published: portRange(p.published, p.count) } : {}) });
  }
  const ip = p.host_ip === undefined ? "" : p.host_ip.includes(":") ? `[${p.host_ip}]:` : `${p.host_ip}:`;
  const published = p.published === undefined ? (ip === "" ? "" : ":") : `${portRange(p.published, p.count)}:`;
  return `${ip}${published}${portRange(p.target, p.count)}/${p.protocol}`;
}

/**
 * A bind mount as the short syntax makes it (it creates a missing host path) is written in the
 * short syntax: docker-compose 1.x's long syntax cannot say `create_host_path`.
 */
function volume(v: ComposeServiceVolume): unknown {
  const b = v.bind;
  const short = v.type === "bind" && b?.create_host_path === true && v.source !== undefined && v.consistency === undefined && !`${v.source}${v.target}`.includes(":");
  if (short) {
    const modes = [v.read_only ? "ro" : "", b.selinux ?? "", b.propagation ?? ""].filter((m) => m !== "");
    return `${v.source}:${v.target}${modes.length > 0 ? `:${modes.join(",")}` : ""}`;
  }
  const tmpfs = v.tmpfs === undefined ? undefined : defined({ size: v.tmpfs.size_bytes, mode: mode(v.tmpfs.mode) });
  return defined({ type: v.type, source: v.source, target: v.target, read_only: v.read_only, bind: v.bind, volume: v.volume, tmpfs, consistency: v.consistency });
}

function restart(r: NonNullable<ComposeService["restart"]>): string {
  return r.policy === "on-failure" && r.max_retries !== undefined ? `on-failure:${r.max_retries}` : r.policy;
}

function healthcheck(h: ComposeHealthcheck): Doc {
  const d = (ms: number | undefined) => (ms === undefined ? undefined : formatDuration(ms));
  return defined({
    test: h.test,
    interval: d(h.interval_ms),
    timeout: d(h.timeout_ms),
    start_period: d(h.start_period_ms),
    start_interval: d(h.start_interval_ms),
    retries: h.retries,
    // `test: [NONE]` already disables; `disable` is written only when it is the only way to say it.
    disable: h.disable === true && h.test?.[0] !== "NONE" ? true : undefined,
  });
}

/** Resource limits as the service-level keys compose reads (deploy.resources means the same). */
function resources(r: ComposeResources | undefined): Doc {
  if (r === undefined) return {};
  const size = (b: number | undefined) => (b === undefined ? undefined : formatSize(b));
  return defined({
    mem_limit: size(r.memory_bytes),
    mem_reservation: size(r.memory_reservation_bytes),
    memswap_limit: size(r.memory_swap_bytes),
    shm_size: size(r.shm_size_bytes),
    cpus: r.cpus,
    cpu_shares: r.cpu_shares,
    cpuset: r.cpuset,
    pids_limit: r.pids_limit,
    blkio_config: r.blkio_weight === undefined ? undefined : { weight: r.blkio_weight },
  });
}

function service(s: ComposeService): Doc {
  return defined({
    image: s.image,
    build: s.build === undefined ? undefined : defined({ ...s.build }),
    pull_policy: s.pull_policy,
    container_name: s.container_name,
    command: s.command,
    entrypoint: s.entrypoint,
    environment: nonEmpty(s.environment),
    env_file: s.env_file,
    ports: nonEmpty(s.ports.map(port)),
    expose: s.expose,
    volumes: nonEmpty(s.volumes.map(volume)),
    volumes_from: s.volumes_from?.map((f) => `${f.container !== undefined ? `container:${f.container}` : (f.service ?? "")}${f.read_only ? ":ro" : ""}`),
    tmpfs: s.tmpfs,
    networks: s.networks,
    network_mode: s.network_mode,
    links: s.links?.map((l) => (l.alias === l.service ? l.service : `${l.service}:${l.alias}`)),
    external_links: s.external_links,
    depends_on: nonEmpty(s.depends_on),
    restart: s.restart === undefined ? undefined : restart(s.restart),
    healthcheck: s.healthcheck === undefined ? undefined : healthcheck(s.healthcheck),
    tty: s.tty,
    stdin_open: s.stdin_open,
    user: s.user,
    working_dir: s.working_dir,
    hostname: s.hostname,
    domainname: s.domainname,
    mac_address: s.mac_address,
    labels: s.labels,
    cap_add: s.cap_add,
    cap_drop: s.cap_drop,
    privileged: s.privileged,
    read_only: s.read_only,
    init: s.init,
    stop_signal: s.stop_signal,
    stop_grace_period: s.stop_grace_period_ms === undefined ? undefined : formatDuration(s.stop_grace_period_ms),
    ulimits: s.ulimits,
    sysctls: s.sysctls,
    extra_hosts: s.extra_hosts?.map((h) => `${h.host}:${h.ip}`),
    dns: s.dns,
    dns_search: s.dns_search,
    dns_opt: s.dns_opt,
    devices: s.devices?.map((d) => `${d.source}:${d.target}:${d.permissions}`),
    logging: s.logging,
    ...resources(s.resources),
    scale: s.replicas === 1 ? undefined : s.replicas,
    secrets: s.secrets?.map((r) => defined({ ...r, mode: mode(r.mode) })),
    configs: s.configs?.map((r) => defined({ ...r, mode: mode(r.mode) })),
    security_opt: s.security_opt,
    profiles: s.profiles,
  });
}

function network(n: ComposeNetwork): Doc {
  return defined({ ...n });
}

function namedVolume(v: ComposeVolume): Doc {
  return defined({ ...v });
}

function fileObject(o: ComposeFileObject): Doc {
  return defined({ ...o });
}

function mapValues<T>(rec: Record<string, T>, f: (v: T) => Doc): Doc {
  const out: Doc = {};
  for (const [k, v] of Object.entries(rec)) out[k] = f(v);
  return out;
}

/**
 * The project as a compose file: what `infra compose config` prints. The project name is not
 * written: docker-compose 1.x refuses a top-level `name`, and the resources that carry it
 * (networks, volumes, secrets, configs) name themselves; read the file back with `-p NAME`.
 */
export function composeDocument(p: ComposeProject): Doc {
  const doc = defined({
    services: mapValues(p.services, service),
    networks: nonEmpty(mapValues(p.networks, network)),
    volumes: nonEmpty(mapValues(p.volumes, namedVolume)),
    secrets: nonEmpty(mapValues(p.secrets, fileObject)),
    configs: nonEmpty(mapValues(p.configs, fileObject)),
  });
  return escapeDollars(doc) as Doc;
}
