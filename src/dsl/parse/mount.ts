import type { MountSpec } from "../../graph/specs.js";
import { parseSize } from "./size.js";
import { ValueError } from "./value-error.js";

const HINT = 'write "volume:/path", "/host/path:/path:ro", "./dir:/path" or "/path" (anonymous volume)';

/** A `-v` string split into its parts; the caller decides what a volume name refers to. */
export interface ParsedVolumeString {
  type: "volume" | "bind";
  /** Volume name or host path as written (relative paths unresolved); absent: anonymous volume. */
  source?: string;
  target: string;
  readOnly?: boolean;
  noCopy?: boolean;
}

export function isHostPath(s: string): boolean {
  return s.startsWith("/") || s.startsWith("./") || s.startsWith("../") || s === "." || s === "..";
}

export function parseVolumeString(v: string): ParsedVolumeString {
  const parts = v.split(":");
  if (parts.length > 3 || parts.some((p) => p === "")) {
    throw new ValueError("INFRA_VALIDATE_INVALID_VOLUME", `volume "${v}" is not SOURCE:TARGET[:OPTIONS]`, HINT);
  }
  if (parts.length === 1) return { type: "volume", target: parts[0] as string };
  const [source, target, opts] = parts as [string, string, string | undefined];
  const out: ParsedVolumeString = { type: isHostPath(source) ? "bind" : "volume", source, target };
  for (const o of opts === undefined ? [] : opts.split(",")) {
    if (o === "ro") out.readOnly = true;
    else if (o === "rw") out.readOnly = false;
    else if (o === "nocopy" && out.type === "volume") out.noCopy = true;
    else throw new ValueError("INFRA_VALIDATE_INVALID_VOLUME", `volume "${v}": unknown option "${o}"`, 'options are "ro", "rw" and, for volumes, "nocopy"');
  }
  if (out.readOnly === false) delete out.readOnly;
  return out;
}

/** docker's `--tmpfs /run:size=64m,mode=1777`. */
export function parseTmpfsString(v: string): MountSpec {
  const colon = v.indexOf(":");
  const target = colon < 0 ? v : v.slice(0, colon);
  const spec: MountSpec = { type: "tmpfs", target };
  if (colon >= 0) {
    for (const o of v.slice(colon + 1).split(",")) {
      const [k, val] = o.split("=") as [string, string | undefined];
      if (k === "size" && val !== undefined) spec.tmpfsSize = parseSize(val);
      else if (k === "mode" && val !== undefined && /^[0-7]+$/.test(val)) spec.tmpfsMode = parseInt(val, 8);
      else if (k === "ro") spec.readOnly = true;
      else throw new ValueError("INFRA_VALIDATE_INVALID_VOLUME", `tmpfs "${v}": unknown option "${o}"`, 'options are size=64m, mode=1777 and ro');
    }
  }
  return spec;
}
