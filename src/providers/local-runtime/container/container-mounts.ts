/**
 * Turns a container's mounts into OCI mounts: named and anonymous volumes, binds (Docker's
 * rules: `-v` creates a missing host dir, `--mount` does not), tmpfs; and copies image content
 * into a volume that is still empty, as Docker does.
 */
import { lstat, mkdir, readdir } from "node:fs/promises";
import { isAbsolute, join, normalize } from "node:path";
import type { MountSpec } from "../../../graph/specs.js";
import { mustRun } from "../host/run-command.js";
import { runtimeError } from "../runtime-error.js";
import type { VolumeStore } from "../volume/volume-store.js";
import type { OciMount } from "./oci-defaults.js";

export function checkTarget(target: string): void {
  if (!isAbsolute(target) || target.split("/").includes("..") || normalize(target) === "/")
    throw runtimeError("Invalid", "BAD_MOUNT_TARGET", `mount target '${target}' must be an absolute path inside the container, not '/'`, "e.g. -v data:/var/lib/data");
}

/** Resolves sources: anonymous volumes get a name, named volumes are created when missing. */
export async function resolveMounts(mounts: MountSpec[], imageVolumes: string[], volumes: VolumeStore): Promise<MountSpec[]> {
  const out: MountSpec[] = [];
  for (const m of mounts) {
    checkTarget(m.target);
    if (m.type === "volume") {
      const v = await volumes.create(m.source === undefined ? { anonymous: true } : { name: m.source });
      out.push({ ...m, source: v.name });
    } else if (m.type === "bind") {
      if (m.source === undefined || !isAbsolute(m.source))
        throw runtimeError("Invalid", "BAD_BIND_SOURCE", `bind mount source '${m.source ?? ""}' must be an absolute host path`, "e.g. -v /srv/data:/data");
      try {
        await lstat(m.source);
      } catch {
        if (!m.createHostPath)
          throw runtimeError("Invalid", "BIND_SOURCE_MISSING", `bind mount source '${m.source}' does not exist`, "create it first (--mount does not create it; -v does)");
        await mkdir(m.source, { recursive: true });
      }
      out.push(m);
    } else out.push(m);
  }
  for (const target of imageVolumes) {
    if (out.some((m) => normalize(m.target) === normalize(target))) continue;
    const v = await volumes.create({ anonymous: true });
    out.push({ type: "volume", source: v.name, target });
  }
  return out;
}

export async function ociMounts(mounts: MountSpec[], volumes: VolumeStore): Promise<OciMount[]> {
  const out: OciMount[] = [];
  for (const m of mounts) {
    const ro = m.readOnly ? "ro" : "rw";
    if (m.type === "tmpfs") {
      const opts = ["nosuid", "nodev", `mode=${(m.tmpfsMode ?? 0o1777).toString(8)}`];
      if (m.tmpfsSize !== undefined) opts.push(`size=${m.tmpfsSize}`);
      if (m.readOnly) opts.push("ro");
      out.push({ destination: m.target, type: "tmpfs", source: "tmpfs", options: opts });
    } else if (m.type === "volume") {
      const v = await volumes.mustGet(m.source!);
      out.push({ destination: m.target, type: "bind", source: v.mountpoint, options: ["rbind", ro] });
    } else {
      out.push({ destination: m.target, type: "bind", source: m.source!, options: ["rbind", ro] });
    }
  }
  return out;
}

/** Copies the image's content at each volume's target into volumes that are still empty. */
export async function initialiseVolumes(mounts: MountSpec[], rootfs: string, volumes: VolumeStore): Promise<void> {
  for (const m of mounts) {
    if (m.type !== "volume" || m.noCopy) continue;
    const v = await volumes.mustGet(m.source!);
    if (v.initialised) continue;
    if ((await readdir(v.mountpoint)).length === 0) {
      // Only a real directory of the image is copied: a symlink could point at the host.
      let dir = rootfs;
      let ok = true;
      for (const part of m.target.split("/").filter(Boolean)) {
        dir = join(dir, part);
        const st = await lstat(dir).catch(() => undefined);
        if (!st || st.isSymbolicLink() || !st.isDirectory()) { ok = false; break; }
      }
      if (ok) await mustRun("cp", ["-a", "--no-dereference", `${dir}/.`, `${v.mountpoint}/`]);
    }
    await volumes.markInitialised(v.name);
  }
}
