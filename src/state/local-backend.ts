/**
 * The default state backend: `<dir>/<stack>.state.json` beside the stack (dir is `.infra/`),
 * written atomically, the previous version kept as `.backup`, guarded by `<stack>.lock`.
 */
import { mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { removeDeadTemps, writeFileAtomic } from "./atomic-write.js";
import { acquireFileLock, type LockOptions } from "./file-lock.js";
import { parseState, serializeState } from "./state-codec.js";
import type { LockInfo, StateBackend, StateFile, StateLock } from "./state-types.js";

async function readText(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw e;
  }
}

export class LocalStateBackend implements StateBackend {
  readonly location: string;
  readonly lockPath: string;
  readonly backupPath: string;

  constructor(
    readonly dir: string,
    readonly stack: string,
    private readonly lockOptions: LockOptions = {},
  ) {
    this.location = join(dir, `${stack}.state.json`);
    this.lockPath = join(dir, `${stack}.lock`);
    this.backupPath = `${this.location}.backup`;
  }

  async read(): Promise<StateFile | undefined> {
    const text = await readText(this.location);
    return text === undefined ? undefined : parseState(text, this.location);
  }

  async write(state: StateFile): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const previous = await readText(this.location);
    if (previous !== undefined) {
      // Refuse to replace a file we cannot read (corrupt or newer): it may be someone's only copy.
      parseState(previous, this.location);
      await writeFileAtomic(this.backupPath, previous);
    }
    await writeFileAtomic(this.location, serializeState(state));
  }

  /** Takes the lock, then removes temp files that writers who died left beside the state and its backup. */
  async lock(info: Omit<LockInfo, "id" | "createdAt">, timeoutMs: number): Promise<StateLock> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const lock = await acquireFileLock(this.lockPath, info, timeoutMs, this.lockOptions);
    // Best effort: a leftover costs only disk space, never the lock.
    for (const p of [this.location, this.backupPath]) await removeDeadTemps(p).catch(() => undefined);
    return lock;
  }
}
