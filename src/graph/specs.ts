/**
 * The canonical props of each resource type, as `synth` emits them and providers receive them.
 * The DSL accepts friendlier shapes (strings like "8080:80", sizes like "256m") and normalises
 * them into these. Every field that holds a value known only after apply may be a `Value`
 * reference in the graph; providers see it resolved.
 */

export type Protocol = "tcp" | "udp";

export interface PortSpec {
  /** First container port; with `count` > 1 a range of that many ports. */
  containerPort: number;
  /** First host port; absent: a random free port chosen at apply time. */
  hostPort?: number;
  /** Number of consecutive ports (ranges like 10000-10010); 1 when absent. */
  count?: number;
  /** Host address to bind; absent: all addresses. */
  hostIp?: string;
  protocol: Protocol;
}

export interface NetworkAttachmentSpec {
  /** The network's name (the engine's name, not the stack id). */
  network: string;
  aliases?: string[];
  ipv4Address?: string;
  macAddress?: string;
}

/** `bridge` (the default network), `host`, `none`, or another container's network namespace. */
export type NetworkModeSpec = "bridge" | "host" | "none" | { container: string };

export interface MountSpec {
  type: "volume" | "bind" | "tmpfs";
  /** Volume name or absolute host path; absent for tmpfs and anonymous volumes. */
  source?: string;
  /** Absolute path inside the container. */
  target: string;
  readOnly?: boolean;
  /** Bind mounts: create a missing host directory (`-v` does, `--mount` does not). */
  createHostPath?: boolean;
  /** tmpfs size in bytes. */
  tmpfsSize?: number;
  /** tmpfs mode, e.g. 0o1777. */
  tmpfsMode?: number;
  /** Volumes: do not copy image content into an empty volume. */
  noCopy?: boolean;
}

export type RestartPolicyName = "no" | "on-failure" | "always" | "unless-stopped";

export interface RestartSpec {
  policy: RestartPolicyName;
  /** Only for on-failure. */
  maxRetries?: number;
}

export interface HealthcheckSpec {
  /** `["CMD", ...argv]`, `["CMD-SHELL", "cmd"]` or `["NONE"]`. */
  test: string[];
  intervalMs?: number;
  timeoutMs?: number;
  retries?: number;
  startPeriodMs?: number;
}

export interface ResourcesSpec {
  /** Bytes. */
  memory?: number;
  /** Bytes of memory + swap; -1 for unlimited swap. */
  memorySwap?: number;
  /** Number of CPUs, fractional (quota/period). */
  cpus?: number;
  cpuShares?: number;
  /** e.g. "0-1". */
  cpusetCpus?: number | string;
  pidsLimit?: number;
  blkioWeight?: number;
  /** /dev/shm size in bytes. */
  shmSize?: number;
}

export interface UlimitSpec {
  name: string;
  soft: number;
  hard: number;
}

export interface DeviceSpec {
  hostPath: string;
  containerPath: string;
  /** e.g. "rwm". */
  permissions: string;
}

export interface LoggingSpec {
  /** Rotate the log file past this many bytes. */
  maxSize?: number;
  /** Keep this many rotated files. */
  maxFiles?: number;
}

export interface ContainerSpec {
  /** The container's name on the engine. Default `<stack>-<id>`. */
  name: string;
  /** An image reference (`busybox`, `localhost/app:1`, `registry:5000/x@sha256:...`) or an image id. */
  image: string;
  command?: string[];
  entrypoint?: string[];
  env?: Record<string, string>;
  workingDir?: string;
  user?: string;
  hostname?: string;
  domainname?: string;
  tty?: boolean;
  stdinOpen?: boolean;
  labels?: Record<string, string>;
  ports?: PortSpec[];
  networkMode?: NetworkModeSpec;
  /** User-defined networks to attach to (with networkMode bridge or absent). */
  networks?: NetworkAttachmentSpec[];
  /** Legacy links: container name and alias. */
  links?: Array<{ container: string; alias: string }>;
  mounts?: MountSpec[];
  volumesFrom?: Array<{ container: string; readOnly?: boolean }>;
  restart?: RestartSpec;
  healthcheck?: HealthcheckSpec;
  resources?: ResourcesSpec;
  capAdd?: string[];
  capDrop?: string[];
  privileged?: boolean;
  readOnlyRootfs?: boolean;
  /** Default true. */
  noNewPrivileges?: boolean;
  init?: boolean;
  stopSignal?: string;
  /** Seconds. */
  stopTimeout?: number;
  ulimits?: UlimitSpec[];
  sysctls?: Record<string, string>;
  extraHosts?: Array<{ host: string; ip: string }>;
  dns?: string[];
  dnsSearch?: string[];
  dnsOptions?: string[];
  devices?: DeviceSpec[];
  logging?: LoggingSpec;
  /**
   * Containers (engine names) this one waits for before it starts, and until what: compose's
   * `depends_on` conditions. Known to the provider only; changing it never restarts anything.
   */
  waitFor?: WaitForSpec[];
}

export type WaitCondition = "started" | "healthy" | "completed_successfully";

export interface WaitForSpec {
  container: string;
  condition: WaitCondition;
}

export interface ContainerOutputs {
  id: string;
  /** First address on the first network. */
  ipAddress: string;
  /** Network name to address. */
  ipAddresses: Record<string, string>;
  /** Published ports as bound: "containerPort/proto" to host port. */
  hostPorts: Record<string, number>;
  imageId: string;
  status: string;
}

export interface NetworkSpec {
  name: string;
  driver: "bridge" | "macvlan";
  /** CIDR; chosen from the pool when absent. */
  subnet?: string;
  gateway?: string;
  ipRange?: string;
  internal?: boolean;
  labels?: Record<string, string>;
  options?: Record<string, string>;
  /** macvlan: the parent interface, and an optional VLAN id. */
  parent?: string;
  vlan?: number;
}

export interface NetworkOutputs {
  id: string;
  name: string;
  subnet: string;
  gateway: string;
}

export interface VolumeSpec {
  name: string;
  driver: "local";
  labels?: Record<string, string>;
  driverOpts?: Record<string, string>;
}

export interface VolumeOutputs {
  id: string;
  name: string;
  mountpoint: string;
}

export interface ImageBuildSpec {
  /** Absolute path of the build context. */
  context: string;
  /** Path of the Dockerfile, relative to the context. Default `Dockerfile`. */
  dockerfile: string;
  args?: Record<string, string>;
  target?: string;
  /** Hash of the context (after .dockerignore) and the Dockerfile, computed by the loader. */
  contextHash?: string;
}

export interface ImageSpec {
  /** The reference the image is known by (`localhost/app:latest`, `busybox`, `host:5000/repo:tag`). */
  name: string;
  build?: ImageBuildSpec;
  /** `missing` (default): pull when absent; `always`; `never`. */
  pull?: "missing" | "always" | "never";
  /** Keep the image in the store when the resource is deleted. */
  keepLocally?: boolean;
}

export interface ImageOutputs {
  /** The image id: the digest of its config. */
  id: string;
  /** Manifest digest. */
  digest: string;
  name: string;
}
