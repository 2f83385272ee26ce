import type { ResourceType } from "../../graph/resource.js";

/** The canonical attributes of each spec in src/graph/specs.ts (kept beside it by a test). */
export const SPEC_KEYS: Record<ResourceType, readonly string[]> = {
  container: [
    "name", "image", "command", "entrypoint", "env", "workingDir", "user", "hostname", "domainname", "tty", "stdinOpen",
    "labels", "ports", "networkMode", "networks", "links", "mounts", "volumesFrom", "restart", "healthcheck", "resources",
    "capAdd", "capDrop", "privileged", "readOnlyRootfs", "noNewPrivileges", "init", "stopSignal", "stopTimeout", "ulimits",
    "sysctls", "extraHosts", "dns", "dnsSearch", "dnsOptions", "devices", "logging", "waitFor",
  ],
  network: ["name", "driver", "subnet", "gateway", "ipRange", "internal", "labels", "options", "parent", "vlan"],
  volume: ["name", "driver", "labels", "driverOpts"],
  image: ["name", "build", "pull", "keepLocally"],
};

/** What a reference may point at: outputs, plus the inputs (a name is known either way). */
export const REF_ATTRS: Record<ResourceType, readonly string[]> = {
  container: ["id", "ipAddress", "ipAddresses", "hostPorts", "imageId", "status", ...SPEC_KEYS.container],
  network: ["id", ...SPEC_KEYS.network],
  volume: ["id", "mountpoint", ...SPEC_KEYS.volume],
  image: ["id", "digest", ...SPEC_KEYS.image],
};
