/**
 * The line protocol of native/infra-host.c, pure: one request `OP key=value ...` per line, one
 * answer `ok [words]` or `err ERRNO STEP<TAB>MESSAGE` per line. Values escape '%', whitespace
 * and control characters as %XX so a path with a space stays one word.
 */
import { ProviderError, type FailureCategory } from "../../contract.js";

export type HelperOp =
  | "netns-add" | "netns-del" | "veth-add" | "macvlan-add" | "link-release" | "link-del" | "links" | "settle"
  | "mount-overlay" | "umount" | "spawn-shim" | "layer-mknod" | "layer-xattr";

const MOUNT_OPS: ReadonlySet<HelperOp> = new Set(["mount-overlay", "umount"]);
const LAYER_OPS: ReadonlySet<HelperOp> = new Set(["layer-mknod", "layer-xattr"]);
/** ELOOP, EXDEV, ENOTDIR: openat2 met a symlink, a mount or a non-directory on the way inside a layer. */
const LAYER_REFUSED: ReadonlySet<number> = new Set([40, 18, 20]);

export type HelperReply = { ok: true; words: string[] } | { ok: false; errno: number; step: string; message: string };

const escapeValue = (v: string) => v.replace(/[%\s\x00-\x1f\x7f]/g, (c) => `%${c.charCodeAt(0).toString(16).padStart(2, "0")}`);

/** One request line; keys whose value is undefined are left out. */
export function encodeRequest(op: HelperOp, args: Record<string, string | number | undefined>): string {
  const words: string[] = [op];
  for (const [k, v] of Object.entries(args)) {
    if (v === undefined) continue;
    if (!/^[a-z]+$/.test(k)) throw new Error(`bad helper option name ${k}`);
    words.push(`${k}=${escapeValue(String(v))}`);
  }
  return `${words.join(" ")}\n`;
}

/** One answer line (without its newline). An unreadable line is an error reply, not an exception. */
export function parseReply(line: string): HelperReply {
  if (line === "ok") return { ok: true, words: [] };
  if (line.startsWith("ok ")) return { ok: true, words: line.slice(3).split(" ").filter((w) => w !== "") };
  const m = /^err (\d+) ([^\t]*)\t(.*)$/.exec(line);
  if (m) return { ok: false, errno: Number(m[1]), step: m[2]!, message: m[3]! };
  return { ok: false, errno: 0, step: "read the helper's answer", message: `unexpected line ${JSON.stringify(line.slice(0, 200))}` };
}

const ERRNO_CATEGORY: Record<number, FailureCategory> = {
  2: "NotFound", // ENOENT
  19: "NotFound", // ENODEV
  17: "AlreadyExists", // EEXIST
  16: "Conflict", // EBUSY
  22: "Invalid", // EINVAL
  34: "Invalid", // ERANGE
  7: "Invalid", // E2BIG
  20: "Invalid", // ENOTDIR
  1: "Unavailable", // EPERM
  95: "Unavailable", // EOPNOTSUPP
};

/** The ProviderError for a failed operation of `op`: the step that failed, the kernel's reason and errno. */
export function replyError(reply: Extract<HelperReply, { ok: false }>, op?: HelperOp): ProviderError {
  const category = ERRNO_CATEGORY[reply.errno] ?? "Internal";
  const message = `${reply.step}: ${reply.message}${reply.errno ? ` (errno ${reply.errno})` : ""}`;
  if (op !== undefined && MOUNT_OPS.has(op)) {
    const hint =
      reply.errno === 7 ? "the image has too many layers (or too long paths) for one overlay mount: flatten the image or use a shorter INFRA_ROOT"
      : reply.errno === 2 || reply.errno === 20 ? "a directory of the container's root filesystem is missing: remove and recreate the container"
      : reply.errno === 16 ? "something still uses the container's root filesystem (a process or a mount below it)"
      : reply.errno === 1 ? "the engine needs root (CAP_SYS_ADMIN) to mount"
      : "the step and the kernel's reason are in the message (overlay logs details to the kernel log: dmesg)";
    return new ProviderError(category, "INFRA_HOST_MOUNT_FAILED", message, { hint });
  }
  if (op !== undefined && LAYER_OPS.has(op)) {
    if (LAYER_REFUSED.has(reply.errno))
      return new ProviderError("Invalid", "INFRA_RUNTIME_TAR_UNSAFE", `the kernel refused a path through a symlink or out of the layer: ${message}`, { hint: "the archive is malformed or malicious; nothing outside the layer was written" });
    const hint =
      reply.errno === 1 ? "the engine needs root (CAP_MKNOD for whiteouts and fifos, CAP_SYS_ADMIN for trusted.* attributes)"
      : reply.errno === 95 ? "the file system under the engine's root has no extended attributes; overlay layers need them (use ext4 or xfs)"
      : reply.errno === 28 ? "the file system under the engine's root is full"
      : "the step and the kernel's reason are in the message";
    return new ProviderError(category, "INFRA_HOST_LAYER_WRITE_FAILED", message, { hint });
  }
  const hint =
    reply.errno === 17 ? "an interface of that name already exists: remove it, or let infra pick the names"
    : reply.errno === 19 ? "the named device does not exist: check the network's bridge or parent interface"
    : reply.errno === 1 ? "the engine needs root (CAP_NET_ADMIN and CAP_SYS_ADMIN) to change the host's network"
    : "the step and the kernel's reason are in the message";
  return new ProviderError(category, "INFRA_NET_LINK_FAILED", message, { hint });
}
