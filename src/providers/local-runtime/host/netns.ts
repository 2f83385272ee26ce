/**
 * A network namespace pinned as a file, with loopback up (for `--network none` and an engine
 * without networking): infra-host's netns-add when the engine has it (~1 ms), else
 * `unshare --net=FILE` (bind-mounts the new namespace on the file) and `nsenter … ip`.
 */
import { mkdir, rm, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import type { HostHelper } from "./host-helper.js";
import { mustRun, runCommand } from "./run-command.js";

/** Pins a new namespace on `path`; one already pinned there is kept. */
export async function createPinnedNetns(path: string, helper?: HostHelper): Promise<void> {
  if (helper !== undefined) {
    await helper.request("netns-add", { path });
    return;
  }
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, "");
  await mustRun("unshare", [`--net=${path}`, "true"]);
  await mustRun("nsenter", [`--net=${path}`, "ip", "link", "set", "lo", "up"]);
}

/** Unmounts and removes `path` (missing or not mounted: fine). */
export async function removePinnedNetns(path: string, helper?: HostHelper): Promise<void> {
  if (helper !== undefined) {
    await helper.request("netns-del", { path });
    return;
  }
  await runCommand("umount", ["-l", path]);
  await rm(path, { force: true });
}
