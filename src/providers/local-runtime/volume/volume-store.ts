/**
 * Named volumes under `<root>/volumes/<name>/_data`, with their metadata beside the data.
 * Nothing here deletes a volume's data unless asked for exactly that volume (rm, prune).
 */
import { randomBytes } from "node:crypto";
import { mkdir, readFile, readdir, rm } from "node:fs/promises";
import { join } from "node:path";
import type { VolumeSpec } from "../../../graph/specs.js";
import { writeJsonAtomic } from "../host/atomic-write.js";
import { runtimeError } from "../runtime-error.js";
import { faultPoint } from "../host/fault-point.js";
import { logRepair } from "../host/repair-log.js";

export interface VolumeRecord {
  name: string;
  driver: "local";
  labels: Record<string, string>;
  options: Record<string, string>;
  mountpoint: string;
  createdAt: string;
  anonymous: boolean;
  /** Set once image content was copied in (only an empty volume is ever initialised). */
  initialised?: boolean;
}

const NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

export class VolumeStore {
  constructor(readonly dir: string) {}

  private meta(name: string): string {
    return join(this.dir, name, "volume.json");
  }

  async get(name: string): Promise<VolumeRecord | undefined> {
    if (!NAME.test(name)) return undefined;
    try {
      return JSON.parse(await readFile(this.meta(name), "utf8")) as VolumeRecord;
    } catch {
      return undefined;
    }
  }

  async mustGet(name: string): Promise<VolumeRecord> {
    const v = await this.get(name);
    if (!v) throw runtimeError("NotFound", "VOLUME_NOT_FOUND", `volume '${name}' does not exist`, "create it with `infra volume create NAME`");
    return v;
  }

  /** Creates the volume, or returns the existing one with the same name (Docker does the same). */
  async create(spec: Partial<VolumeSpec> & { anonymous?: boolean } = {}): Promise<VolumeRecord> {
    const name = spec.name ?? randomBytes(32).toString("hex");
    if (!NAME.test(name))
      throw runtimeError("Invalid", "BAD_VOLUME_NAME", `invalid volume name '${name}'`, "use letters, digits, '_', '.', '-', starting with a letter or digit");
    if (spec.driver !== undefined && spec.driver !== "local")
      throw runtimeError("Invalid", "BAD_VOLUME_DRIVER", `volume driver '${spec.driver}' is not supported`, "use the local driver");
    const existing = await this.get(name);
    if (existing) return existing;
    const rec: VolumeRecord = {
      name,
      driver: "local",
      labels: spec.labels ?? {},
      options: spec.driverOpts ?? {},
      mountpoint: join(this.dir, name, "_data"),
      createdAt: new Date().toISOString(),
      anonymous: spec.anonymous ?? false,
    };
    // The volume's own directory is closed; its _data is what the container sees (0755, as Docker's).
    // Data directory first, metadata last: a volume without metadata was never created (repair() removes it).
    await mkdir(join(this.dir, name), { recursive: true, mode: 0o700 });
    await mkdir(rec.mountpoint, { recursive: true, mode: 0o755 });
    faultPoint("volume-create:dir", name);
    await writeJsonAtomic(this.meta(name), rec);
    return rec;
  }

  /**
   * At engine start: a volume directory without metadata is a create a kill interrupted. It goes
   * when its data directory is empty (nothing can have used it); one with data is left alone and
   * said so. Temporary files of interrupted metadata writes go too.
   */
  async repair(): Promise<void> {
    for (const name of await readdir(this.dir).catch(() => [] as string[])) {
      const dir = join(this.dir, name);
      const files = await readdir(dir).catch(() => undefined);
      if (files === undefined) continue; // not a directory
      for (const f of files) if (/^volume\.json\.[0-9a-f]+\.tmp$/.test(f)) await rm(join(dir, f), { force: true });
      if (files.includes("volume.json")) continue;
      const data = await readdir(join(dir, "_data")).catch(() => [] as string[]);
      if (data.length > 0) {
        logRepair("volume", `left ${dir} alone: it has no metadata but holds data`);
        continue;
      }
      await rm(dir, { recursive: true, force: true });
      logRepair("volume", `removed ${dir}: a create that a kill interrupted (no metadata, no data)`);
    }
  }

  async markInitialised(name: string): Promise<void> {
    const v = await this.mustGet(name);
    await writeJsonAtomic(this.meta(name), { ...v, initialised: true });
  }

  async list(): Promise<VolumeRecord[]> {
    const names = await readdir(this.dir).catch(() => [] as string[]);
    const out: VolumeRecord[] = [];
    for (const n of names.sort()) {
      const v = await this.get(n);
      if (v) out.push(v);
    }
    return out;
  }

  async remove(name: string, inUseBy: string[]): Promise<void> {
    await this.mustGet(name);
    if (inUseBy.length > 0)
      throw runtimeError("Conflict", "VOLUME_IN_USE", `volume '${name}' is in use by ${inUseBy.join(", ")}`, "remove those containers first");
    await rm(join(this.dir, name), { recursive: true, force: true });
  }

  /** Removes volumes no container uses; anonymous only unless `all`. */
  async prune(inUse: ReadonlySet<string>, all = false): Promise<string[]> {
    const removed: string[] = [];
    for (const v of await this.list()) {
      if (inUse.has(v.name) || (!all && !v.anonymous)) continue;
      await rm(join(this.dir, v.name), { recursive: true, force: true });
      removed.push(v.name);
    }
    return removed;
  }
}
