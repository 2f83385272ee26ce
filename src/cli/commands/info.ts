/** `infra info` (`infra system info`): the engine, its host and what it holds. */
import type { EngineInfo } from "../../providers/local-runtime/engine/engine-info.js";
import type { Command } from "../command.js";
import { expectPositionals, parseFlags, usageError } from "../parse-flags.js";
import { engineFor } from "./engine-session.js";
import { humanSize } from "./system-format.js";

/** Docker's `info` layout: indented "Key: value" lines. Pure. */
export function renderInfo(i: EngineInfo): string {
  const lines = [
    `Containers: ${i.containers.total}`,
    ` Running: ${i.containers.running}`,
    ` Paused: ${i.containers.paused}`,
    ` Stopped: ${i.containers.stopped}`,
    `Images: ${i.images}`,
    `Networks: ${i.networks}`,
    `Volumes: ${i.volumes}`,
    `Engine Version: ${i.engineVersion} (pid ${i.pid}, up since ${i.startedAt})`,
    `Storage Driver: ${i.storageDriver}`,
    `Cgroup Driver: ${i.cgroupDriver}`,
    `Cgroup Version: ${i.cgroupVersion}${i.cgroupVersion === "1" && i.cgroupHybrid ? " (hybrid: a v2 hierarchy is mounted beside v1)" : ""}`,
    `Runtime: ${i.runtime.name}${i.runtime.version ? ` ${i.runtime.version}` : ""} (${i.runtime.path ?? "not found on PATH"})`,
    `Monitors: ${i.monitors.map((m) => `${m.name}${m.version ? ` ${m.version}` : ""}${m.path ? ` (${m.path})` : " (not found)"}`).join(", ")}`,
    `Networking: ${i.networking}`,
    `Kernel Version: ${i.kernelVersion}`,
    `Operating System: ${i.operatingSystem}`,
    `CPUs: ${i.cpus}`,
    `Total Memory: ${humanSize(i.memoryBytes)}`,
    `State Root: ${i.stateRoot}`,
    `Run Root: ${i.runRoot}`,
  ];
  if (i.registries.insecure.length > 0) lines.push("Insecure Registries:", ...i.registries.insecure.map((r) => ` ${r}`));
  if (i.registries.search.length > 0) lines.push("Search Registries:", ...i.registries.search.map((r) => ` ${r}`));
  if (i.registries.mirrors !== null) lines.push(`Registry Mirrors: ${JSON.stringify(i.registries.mirrors)}`);
  if (i.registries.error !== undefined) lines.push(`Registries Config Error: ${i.registries.error}`);
  return lines.join("\n") + "\n";
}

export const infoCommand: Command = {
  name: ["info"],
  aliases: [["system", "info"]],
  summary: "Show the engine's version, roots, cgroups, runtime and object counts",
  usage: [
    "Usage: infra info [--format json]",
    "",
    "Starts the engine if it is not running. --format json prints the same facts as one JSON object",
    "(engineVersion, stateRoot, runRoot, cgroupVersion, runtime, monitors, containers, images, ...).",
  ].join("\n"),
  async run(argv, io) {
    const f = parseFlags(argv, { format: { kind: "string" } }, "info");
    expectPositionals(f, 0, 0, "info");
    if (f.strings.format !== undefined && f.strings.format !== "json")
      throw usageError("INFRA_CLI_FLAG_VALUE_INVALID", `Flag --format of info takes json, not "${f.strings.format}"`, "info");
    const info = await (await engineFor(io.env)).call<EngineInfo>("GET", "/info");
    io.stdout.write(f.strings.format === "json" ? JSON.stringify(info, null, 2) + "\n" : renderInfo(info));
    return 0;
  },
};
