/**
 * A network namespace pinned as a file (for `--network none` and until the networking code
 * takes over): `unshare --net=FILE` bind-mounts the new namespace on the file.
 */
import { mkdir, rm, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { mustRun, runCommand } from "./run-command.js";

export async function createPinnedNetns(path: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, "");
  await mustRun("unshare", [`--net=${path}`, "true"]);
  await mustRun("nsenter", [`--net=${path}`, "ip", "link", "set", "lo", "up"]);
}

export async function removePinnedNetns(path: string): Promise<void> {
  await runCommand("umount", ["-l", path]);
  await rm(path, { force: true });
}
