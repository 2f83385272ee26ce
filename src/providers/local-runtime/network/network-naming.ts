/** Names infra gives to networks' devices and containers' host-side links; pure. */
import { createHash, randomBytes } from "node:crypto";
import { ProviderError } from "../../contract.js";
import { IFNAME_MAX } from "./host-net.js";

export const PREDEFINED = new Set(["bridge", "host", "none"]);

export function newNetworkId(): string {
  return randomBytes(32).toString("hex");
}

export function checkNetworkName(name: string): void {
  if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}$/.test(name)) {
    throw new ProviderError("Invalid", "INFRA_NET_INVALID_NAME", `"${name}" is not a valid network name`, {
      hint: "use letters, digits, '_', '.' and '-', starting with a letter or digit",
    });
  }
}

export function checkBridgePrefix(prefix: string): void {
  if (!/^[a-z][a-z0-9]{0,9}$/.test(prefix)) {
    throw new ProviderError("Invalid", "INFRA_NET_INVALID_PREFIX", `bridge prefix "${prefix}" must be 1-10 lower-case letters and digits`, {
      hint: "it becomes the start of interface names, which Linux limits to 15 characters",
    });
  }
}

/** The default network's bridge: `<prefix>0` (docker0's counterpart). */
export function defaultBridgeName(prefix: string): string {
  return `${prefix}0`;
}

/** `<prefix>-<start of the network id>`, filling the 15 characters Linux allows. */
export function bridgeName(prefix: string, networkId: string): string {
  return `${prefix}-${networkId.slice(0, IFNAME_MAX - prefix.length - 1)}`;
}

/** Whether a link name is one this prefix's bridges get (`<prefix>0`, `<prefix>-<hex>`): only those are the engine's to repair. */
export function isOwnBridgeName(prefix: string, name: string): boolean {
  if (name === defaultBridgeName(prefix)) return true;
  return name.length === IFNAME_MAX && name.startsWith(`${prefix}-`) && /^[0-9a-f]+$/.test(name.slice(prefix.length + 1));
}

/** Host end of a container's veth: stable per (container, network) so a restart finds it again. */
export function vethName(containerId: string, networkId: string): string {
  return `ve${createHash("sha256").update(`${containerId}/${networkId}`).digest("hex").slice(0, IFNAME_MAX - 2)}`;
}
