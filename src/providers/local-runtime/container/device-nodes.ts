/**
 * `--device` / a spec's devices as runc wants them: the host node's type and numbers (read with
 * stat, as Docker does), made at the container path and allowed in the devices cgroup.
 */
import { statSync } from "node:fs";
import type { DeviceSpec } from "../../../graph/specs.js";
import { runtimeError } from "../runtime-error.js";

export interface OciDevice { path: string; type: "c" | "b"; major: number; minor: number; permissions: string }

export function ociDevices(devices: readonly DeviceSpec[], stat: (p: string) => { isCharacterDevice(): boolean; isBlockDevice(): boolean; rdev: number } = statSync): OciDevice[] {
  return devices.map((d) => {
    let st: ReturnType<typeof stat>;
    try {
      st = stat(d.hostPath);
    } catch (e) {
      throw runtimeError("Invalid", "DEVICE_NOT_FOUND", `device ${d.hostPath} cannot be read: ${(e as Error).message}`, "give a device node of the host, e.g. /dev/fuse", e);
    }
    if (!st.isCharacterDevice() && !st.isBlockDevice()) throw runtimeError("Invalid", "DEVICE_NOT_A_DEVICE", `${d.hostPath} is not a device node`, "give a character or block device of the host, e.g. /dev/fuse");
    // Linux's dev_t: 12 bits of major at 8..19 and above 32; minor in the rest.
    const major = Number((BigInt(st.rdev) >> 8n) & 0xfffn) | Number((BigInt(st.rdev) >> 32n) & ~0xfffn);
    const minor = Number(BigInt(st.rdev) & 0xffn) | Number((BigInt(st.rdev) >> 12n) & ~0xffn);
    return { path: d.containerPath, type: st.isCharacterDevice() ? "c" : "b", major, minor, permissions: d.permissions || "rwm" };
  });
}
