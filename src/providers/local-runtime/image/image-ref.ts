/**
 * Image references: `busybox`, `localhost/app:1`, `host:5000/repo:tag`, `repo@sha256:...`.
 * Short names are looked up under `localhost/` first, as the engine's own images live there.
 */
import { runtimeError } from "../runtime-error.js";

export interface ImageRef {
  /** `localhost`, `docker.io`, `host:5000`. */
  domain: string;
  /** `busybox`, `library/nginx`, `team/app`. */
  path: string;
  tag?: string;
  digest?: string;
}

const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

export function parseImageRef(input: string): ImageRef {
  const bad = (why: string) =>
    runtimeError("Invalid", "BAD_IMAGE_REF", `invalid image reference '${input}': ${why}`, "use NAME[:TAG] or NAME@sha256:DIGEST, e.g. busybox or localhost/app:1");
  let rest = input;
  let digest: string | undefined;
  const at = rest.indexOf("@");
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!/^sha256:[0-9a-f]{64}$/.test(digest)) throw bad("bad digest");
  }
  let tag: string | undefined;
  const lastSlash = rest.lastIndexOf("/");
  const colon = rest.lastIndexOf(":");
  if (colon > lastSlash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) throw bad(`bad tag '${tag}'`);
  }
  if (rest === "") throw bad("empty name");
  const parts = rest.split("/");
  let domain = "localhost";
  const first = parts[0]!;
  if (parts.length > 1 && (first.includes(".") || first.includes(":") || first === "localhost")) {
    domain = first;
    parts.shift();
  }
  for (const p of parts) if (!COMPONENT.test(p)) throw bad(`bad path component '${p}'`);
  // Docker's canonical form of Docker Hub names: `index.docker.io/alpine` is `docker.io/library/alpine`.
  if (domain === "index.docker.io") domain = "docker.io";
  if (domain === "docker.io" && parts.length === 1) parts.unshift("library");
  const ref: ImageRef = { domain, path: parts.join("/") };
  if (tag !== undefined) ref.tag = tag;
  if (digest !== undefined) ref.digest = digest;
  if (ref.tag === undefined && ref.digest === undefined) ref.tag = "latest";
  return ref;
}

/** The canonical name the index is keyed by: `domain/path:tag` (or `@digest`). */
export function formatImageRef(r: ImageRef): string {
  return `${r.domain}/${r.path}${r.tag !== undefined ? `:${r.tag}` : ""}${r.digest !== undefined ? `@${r.digest}` : ""}`;
}

export function normalizeImageName(input: string): string {
  return formatImageRef(parseImageRef(input));
}

/** True when the name says where it lives (`host.tld/`, `host:port/`, `localhost/`). Pure. */
export function namesDomain(input: string): boolean {
  const slash = input.indexOf("/");
  if (slash < 0) return false;
  const first = input.slice(0, slash);
  return first.includes(".") || first.includes(":") || first === "localhost";
}

/** Docker's reading of a short name: `alpine:3.19` → `docker.io/library/alpine:3.19`, `user/app` → `docker.io/user/app:latest`. Pure. */
export function dockerHubName(name: string): string {
  const ref = parseImageRef(name);
  return formatImageRef({ ...ref, domain: "docker.io", path: ref.path.includes("/") ? ref.path : `library/${ref.path}` });
}
