/**
 * What a Container accepts: everything `docker run` and compose offer, in friendly forms that
 * synth normalises into `ContainerSpec` (src/graph/specs.ts).
 */
import type { Protocol, RestartPolicyName, WaitCondition } from "../graph/specs.js";
import type { Container } from "./container.js";
import type { Image } from "./image.js";
import type { Network } from "./network.js";
import type { Input } from "./ref.js";
import type { Secret } from "./secret.js";
import type { Volume } from "./volume.js";

/** Bytes, or a string with a unit: "512k", "256m", "1.5g" (powers of 1024, like docker). */
export type Size = number | string;
/** Seconds, or a string: "500ms", "30s", "1m30s", "2h". */
export type Duration = number | string;

/**
 * A published port: `80` (random host port), `"8080:80"`, `"127.0.0.1:8000:80/udp"`,
 * `"10000-10010:20000-20010/udp"`, or the object form.
 */
export type PortInput = number | string | PortObject;
export interface PortObject {
  containerPort: number;
  /** Absent: a random free host port, known after apply (see `container.hostPort()`). */
  hostPort?: number;
  /** Consecutive ports from containerPort (and hostPort). Default 1. */
  count?: number;
  hostIp?: string;
  protocol?: Protocol;
}

export interface NetworkAttachment {
  /** A network of the stack, or the name of one that exists already. */
  network: Network | string;
  aliases?: string[];
  ipv4Address?: string;
  macAddress?: string;
}

export type NetworkModeInput = "bridge" | "host" | "none" | `container:${string}` | { container: Container | string };

/**
 * A mount: `"data:/var/lib/data"` (a named volume; a Volume of this stack with that id when there
 * is one), `"/srv/www:/www:ro"` or `"./site:/www"` (bind), `"/cache"` (anonymous volume), or an object.
 */
export type MountInput = string | VolumeMount | BindMount | TmpfsMount;
export interface VolumeMount {
  volume: Volume | string;
  target: string;
  readOnly?: boolean;
  /** Do not copy image content into an empty volume. */
  noCopy?: boolean;
}
export interface BindMount {
  /** Host path; relative paths resolve against the stack file's directory. */
  bind: string;
  target: string;
  readOnly?: boolean;
  /** Create a missing host directory. Default true (as `-v` does). */
  createHostPath?: boolean;
}
export interface TmpfsMount {
  /** Target path inside the container. */
  tmpfs: string;
  size?: Size;
  /** e.g. 0o1777. */
  mode?: number;
}

export type LinkInput = Container | string | { container: Container | string; alias?: string };
/**
 * Start only once another container is `started` (running, or ran), `healthy` (its health check
 * passes), or `completed_successfully` (exited 0): compose's `depends_on` conditions.
 */
export interface WaitForInput {
  container: Container | string;
  condition: WaitCondition;
}
export type VolumesFromInput = Container | string | { container: Container | string; readOnly?: boolean };

export type RestartInput = RestartPolicyName | `on-failure:${number}` | { policy: RestartPolicyName; maxRetries?: number };

export interface HealthcheckInput {
  /** A shell command string (CMD-SHELL), an argv (CMD), or the raw `["CMD", ...]` form. */
  test: string | string[];
  interval?: Duration;
  timeout?: Duration;
  startPeriod?: Duration;
  retries?: number;
}

export interface ResourcesInput {
  memory?: Size;
  /** Memory plus swap; -1 for unlimited swap. */
  memorySwap?: Size;
  cpus?: number | string;
  cpuShares?: number;
  cpusetCpus?: number | string;
  pidsLimit?: number;
  blkioWeight?: number;
  /** Size of /dev/shm. */
  shmSize?: Size;
}

/** `{ nofile: 1024 }`, `{ nofile: { soft: 1024, hard: 2048 } }`, or `["nofile=1024:2048"]`. */
export type UlimitsInput = Record<string, number | { soft: number; hard: number }> | string[];

/** `"/dev/fuse"`, `"/dev/sda:/dev/xvda:rwm"`, or the object form. */
export type DeviceInput = string | { hostPath: string; containerPath?: string; permissions?: string };

export type EnvValue = Input<string> | number | boolean | Secret<Input<string>>;

export interface ContainerProps {
  /** An image reference (`"busybox"`) or an Image of this stack. */
  image: Input<string> | Image;
  /** The engine's name. Default `<stack>-<id>`. */
  name?: string;
  /** A string is split like a shell would (quotes respected); an array is taken as is. */
  command?: string | Array<Input<string>>;
  entrypoint?: string | Array<Input<string>>;
  /** Values may be references (also inside template strings) and secrets. `["K=V"]` also works. */
  env?: Record<string, EnvValue> | string[];
  /** Files of `KEY=VALUE` lines, relative to the stack file's directory; `env` wins over them. */
  envFiles?: string | string[];
  workingDir?: string;
  user?: string | number;
  /** Default: the container's name. */
  hostname?: string;
  domainname?: string;
  tty?: boolean;
  /** Keep stdin open (`-i`). */
  stdinOpen?: boolean;
  labels?: Record<string, string>;
  ports?: PortInput[];
  /** Shorthand for one entry of `networks`. */
  network?: Network | string;
  networks?: Array<Network | string | NetworkAttachment>;
  networkMode?: NetworkModeInput;
  links?: LinkInput[];
  volumes?: MountInput[];
  /** `["/run", "/tmp:size=64m,mode=1777"]`: tmpfs mounts, docker's `--tmpfs` form. */
  tmpfs?: string[];
  volumesFrom?: VolumesFromInput[];
  restart?: RestartInput;
  healthcheck?: HealthcheckInput | "none";
  resources?: ResourcesInput;
  capAdd?: string[];
  capDrop?: string[];
  privileged?: boolean;
  readOnlyRootfs?: boolean;
  /** Default true. */
  noNewPrivileges?: boolean;
  /** Run a tiny init as pid 1. */
  init?: boolean;
  stopSignal?: string;
  stopTimeout?: Duration;
  ulimits?: UlimitsInput;
  sysctls?: Record<string, string | number>;
  /** `{ "db.local": "10.0.0.5" }` or `["db.local:10.0.0.5"]`. */
  extraHosts?: Record<string, Input<string>> | string[];
  dns?: string[];
  dnsSearch?: string[];
  dnsOptions?: string[];
  devices?: DeviceInput[];
  logging?: { maxSize?: Size; maxFiles?: number };
  /** Containers to wait for before this one starts (also an ordering dependency). */
  waitFor?: WaitForInput[];
}
