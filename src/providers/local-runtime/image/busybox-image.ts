/**
 * The built-in base image `localhost/busybox:latest`, assembled from the host's busybox-static
 * with every applet hard-linked. Fixed mtimes, sorted entries and an uncompressed layer make the
 * digest depend only on the busybox binary.
 */
import { readFile } from "node:fs/promises";
import { mustRun } from "../host/run-command.js";
import { tarEntry, type TarEntry } from "./tar-entry.js";
import { writeTar } from "./tar-writer.js";

export const BUSYBOX_IMAGE_NAME = "localhost/busybox:latest";
export const BUSYBOX_PATH = "/bin/busybox";

const PASSWD = [
  "root:x:0:0:root:/root:/bin/sh",
  "daemon:x:1:1:daemon:/usr/sbin:/bin/false",
  "bin:x:2:2:bin:/bin:/bin/false",
  "sys:x:3:3:sys:/dev:/bin/false",
  "www-data:x:33:33:www-data:/var/www:/bin/false",
  "operator:x:37:37:Operator:/var:/bin/false",
  "nobody:x:65534:65534:nobody:/home:/bin/false",
].join("\n") + "\n";

const GROUP = [
  "root:x:0:", "daemon:x:1:", "bin:x:2:", "sys:x:3:", "adm:x:4:", "tty:x:5:", "disk:x:6:", "wheel:x:10:root",
  "www-data:x:33:", "operator:x:37:", "users:x:100:", "nogroup:x:65534:",
].join("\n") + "\n";

const DIRS: Array<[string, number]> = [
  ["bin", 0o755], ["dev", 0o755], ["etc", 0o755], ["home", 0o755], ["proc", 0o755], ["root", 0o700],
  ["sbin", 0o755], ["sys", 0o755], ["tmp", 0o1777], ["usr", 0o755], ["usr/bin", 0o755], ["usr/sbin", 0o755],
  ["var", 0o755], ["var/log", 0o755], ["var/spool", 0o755], ["var/tmp", 0o1777], ["var/www", 0o755],
];

/** The layer's entries, given the busybox binary and its applet list. Pure. */
export function busyboxLayerEntries(binary: Uint8Array, applets: string[]): TarEntry[] {
  const dirs = DIRS.map(([p, mode]) => tarEntry(p, "dir", { mode }));
  const files = [
    tarEntry("etc/group", "file", { data: Buffer.from(GROUP) }),
    tarEntry("etc/passwd", "file", { data: Buffer.from(PASSWD) }),
    tarEntry("etc/shadow", "file", { mode: 0o640, data: Buffer.from("root:*:0:0:99999:7:::\n") }),
  ];
  const links = [...new Set(applets.map((a) => a.replace(/^\/+/, "")))]
    .filter((a) => a !== "bin/busybox" && a !== "" && !a.includes(".."))
    .sort()
    .map((a) => tarEntry(a, "hardlink", { linkname: "bin/busybox", mode: 0o755 }));
  const known = new Set(DIRS.map(([p]) => p));
  const extraDirs = [...new Set(links.map((l) => l.path.split("/").slice(0, -1).join("/")))].filter((d) => d !== "" && !known.has(d));
  return [
    ...dirs,
    ...extraDirs.sort().map((d) => tarEntry(d, "dir")),
    tarEntry("bin/busybox", "file", { mode: 0o755, data: binary }),
    ...files,
    ...links,
  ];
}

export interface BuiltLayer {
  tar: Buffer;
}

export async function buildBusyboxLayer(path = BUSYBOX_PATH): Promise<BuiltLayer> {
  const binary = await readFile(path);
  const list = (await mustRun(path, ["--list-full"])).split("\n").filter((l) => l.trim() !== "");
  return { tar: writeTar(busyboxLayerEntries(binary, list)) };
}

export const BUSYBOX_RUNTIME_CONFIG = {
  Env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
  Cmd: ["sh"],
};
