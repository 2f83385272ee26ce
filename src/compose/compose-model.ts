/**
 * The normalised compose project: every short form expanded to its long form, every relative
 * path made absolute, durations in milliseconds and sizes in bytes (keys ending `_ms`,
 * `_bytes`). Keys otherwise follow the Compose Specification; `infra compose config` writes this
 * model back as a compose file (compose-document.ts). Plain JSON throughout.
 */

export type DependsOnCondition = "service_started" | "service_healthy" | "service_completed_successfully";

export interface ComposeDependsOn {
  condition: DependsOnCondition;
  restart?: boolean;
  /** false: start even when the dependency is missing (compose 2.20). */
  required?: boolean;
}

export interface ComposePort {
  /** First container port. */
  target: number;
  /** First host port; absent: a random free port. */
  published?: number;
  /** Consecutive ports in a range ("8000-8010:8000-8010" → 11); absent means 1. */
  count?: number;
  host_ip?: string;
  protocol: "tcp" | "udp";
  mode?: "ingress" | "host";
  name?: string;
  app_protocol?: string;
}

export interface ComposeServiceVolume {
  type: "bind" | "volume" | "tmpfs";
  /** Bind: absolute host path. Volume: the key under top-level `volumes` (absent: anonymous). */
  source?: string;
  target: string;
  read_only?: boolean;
  bind?: { create_host_path?: boolean; propagation?: string; selinux?: string };
  volume?: { nocopy?: boolean; subpath?: string };
  tmpfs?: { size_bytes?: number; mode?: number };
  consistency?: string;
}

export interface ComposeServiceNetwork {
  aliases?: string[];
  ipv4_address?: string;
  ipv6_address?: string;
  mac_address?: string;
  priority?: number;
}

export interface ComposeHealthcheck {
  /** ["CMD", ...], ["CMD-SHELL", "..."] or ["NONE"]. */
  test?: string[];
  interval_ms?: number;
  timeout_ms?: number;
  start_period_ms?: number;
  start_interval_ms?: number;
  retries?: number;
  disable?: boolean;
}

export interface ComposeBuild {
  /** Absolute path of the build context. */
  context: string;
  /** Relative to the context. */
  dockerfile: string;
  args?: Record<string, string>;
  target?: string;
  labels?: Record<string, string>;
}

export interface ComposeResources {
  memory_bytes?: number;
  memory_reservation_bytes?: number;
  memory_swap_bytes?: number;
  cpus?: number;
  cpu_shares?: number;
  cpuset?: string;
  pids_limit?: number;
  blkio_weight?: number;
  shm_size_bytes?: number;
}

export interface ComposeFileReference {
  /** A secret or config of the project, mounted read-only. */
  source: string;
  /** Absolute path in the container. */
  target: string;
  uid?: string;
  gid?: string;
  mode?: number;
}

export interface ComposeService {
  name: string;
  image?: string;
  build?: ComposeBuild;
  pull_policy?: "always" | "never" | "missing" | "build" | "if_not_present";
  /** A fixed container name; replaces `<project>-<service>-<n>` (then only one replica). */
  container_name?: string;
  command?: string[];
  entrypoint?: string[];
  /** After env_file and environment, in that order; a key listed without value and unset is absent. */
  environment: Record<string, string>;
  env_file?: string[];
  ports: ComposePort[];
  expose?: string[];
  volumes: ComposeServiceVolume[];
  volumes_from?: Array<{ service?: string; container?: string; read_only?: boolean }>;
  tmpfs?: string[];
  /** Attached networks by their key under top-level `networks`; absent with network_mode. */
  networks?: Record<string, ComposeServiceNetwork>;
  /** "bridge", "host", "none", "service:NAME" or "container:NAME". */
  network_mode?: string;
  links?: Array<{ service: string; alias: string }>;
  external_links?: string[];
  depends_on: Record<string, ComposeDependsOn>;
  restart?: { policy: "no" | "always" | "on-failure" | "unless-stopped"; max_retries?: number };
  healthcheck?: ComposeHealthcheck;
  tty?: boolean;
  stdin_open?: boolean;
  user?: string;
  working_dir?: string;
  hostname?: string;
  domainname?: string;
  mac_address?: string;
  labels?: Record<string, string>;
  cap_add?: string[];
  cap_drop?: string[];
  privileged?: boolean;
  read_only?: boolean;
  init?: boolean;
  stop_signal?: string;
  stop_grace_period_ms?: number;
  ulimits?: Record<string, { soft: number; hard: number }>;
  sysctls?: Record<string, string>;
  extra_hosts?: Array<{ host: string; ip: string }>;
  dns?: string[];
  dns_search?: string[];
  dns_opt?: string[];
  devices?: Array<{ source: string; target: string; permissions: string }>;
  logging?: { driver?: string; options?: Record<string, string> };
  resources?: ComposeResources;
  /** From deploy.replicas or scale; 1 when neither is set. */
  replicas: number;
  secrets?: ComposeFileReference[];
  configs?: ComposeFileReference[];
  security_opt?: string[];
  profiles?: string[];
}

export interface ComposeIpamConfig {
  subnet?: string;
  gateway?: string;
  ip_range?: string;
  aux_addresses?: Record<string, string>;
}

export interface ComposeNetwork {
  /** The engine's name: `name:`, or `<project>_<key>`, or the key when external. */
  name: string;
  driver?: string;
  driver_opts?: Record<string, string>;
  ipam?: { driver?: string; config?: ComposeIpamConfig[] };
  internal?: boolean;
  external?: boolean;
  attachable?: boolean;
  enable_ipv6?: boolean;
  labels?: Record<string, string>;
}

export interface ComposeVolume {
  name: string;
  driver?: string;
  driver_opts?: Record<string, string>;
  external?: boolean;
  labels?: Record<string, string>;
}

export interface ComposeFileObject {
  name: string;
  /** Absolute path of the file holding the content. */
  file?: string;
  /** Content from this environment variable (written to a file by the converter). */
  environment?: string;
  /** Inline content (configs only). */
  content?: string;
  external?: boolean;
}

export interface ComposeProject {
  name: string;
  /** The project directory: where the first file lives. */
  working_dir: string;
  files: string[];
  services: Record<string, ComposeService>;
  networks: Record<string, ComposeNetwork>;
  volumes: Record<string, ComposeVolume>;
  secrets: Record<string, ComposeFileObject>;
  configs: Record<string, ComposeFileObject>;
}
