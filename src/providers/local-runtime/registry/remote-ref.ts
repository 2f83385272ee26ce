/**
 * A reference to an image on a registry: the registry host, the repository path the API uses,
 * and the tag or digest. `localhost/...` (no port) is the engine's own namespace, never a registry.
 */
import { formatImageRef, namesDomain, parseImageRef } from "../image/image-ref.js";
import { registryError } from "./registry-error.js";

export interface RemoteRef {
  host: string;
  /** The repository as the API names it (`library/busybox` on Docker Hub). */
  repo: string;
  tag?: string;
  digest?: string;
  /** The canonical local name the image is stored under: `host/path:tag` or `host/path@digest`. */
  name: string;
}

/** True when the user wrote a registry host (`host.tld/...`, `host:port/...`, `localhost/...`). Pure. */
export function hasExplicitDomain(input: string): boolean {
  return namesDomain(input);
}

export function parseRemoteRef(input: string): RemoteRef {
  const ref = parseImageRef(input);
  if (!hasExplicitDomain(input) || ref.domain === "localhost") {
    throw registryError(
      "Invalid",
      "NO_REGISTRY",
      `'${input}' does not name a registry`,
      "write the registry host (and port) first, e.g. 127.0.0.1:5000/app:1 or registry.example.com/team/app:1",
    );
  }
  const dockerHub = ref.domain === "docker.io" || ref.domain === "index.docker.io";
  const repo = dockerHub && !ref.path.includes("/") ? `library/${ref.path}` : ref.path;
  // Docker's canonical form: `index.docker.io/alpine` and `docker.io/alpine` are `docker.io/library/alpine`.
  const host = dockerHub ? "docker.io" : ref.domain;
  const out: RemoteRef = { host, repo, name: formatImageRef({ ...ref, domain: host, path: repo }) };
  if (ref.tag !== undefined) out.tag = ref.tag;
  if (ref.digest !== undefined) out.digest = ref.digest;
  return out;
}

/** What to ask the registry for: the digest when pinned, else the tag. */
export function remoteReference(r: RemoteRef): string {
  return r.digest ?? r.tag ?? "latest";
}
