/**
 * The image a container or build asks for by name: the local store first (with the built-in
 * busybox and scratch), then the registry the name gives, or, for a short name like `alpine:3.19`,
 * each `search` registry of registries.json in order, or, with none listed, Docker Hub as Docker
 * reads it (`docker.io/library/alpine:3.19`; its mirrors are pull-image's). Exported for the engine.
 */
import type { ImageStore } from "../image/image-store.js";
import type { ImageRecord } from "../image/image-types.js";
import { isProviderError, ProviderError } from "../../contract.js";
import { registriesConfigFor } from "./open-client.js";
import { pullImage, type PullOptions, type PullResult } from "./pull-image.js";
import { registryError } from "./registry-error.js";
import { dockerHubName } from "../image/image-ref.js";
import { hasExplicitDomain } from "./remote-ref.js";

export type PullPolicy = "missing" | "always" | "never";

export interface ResolveImageOptions extends PullOptions {
  /** `missing` (default): pull only when not stored; `always`: pull, falling back to nothing; `never`: local only. */
  pull?: PullPolicy;
  /** Before each registry is asked: the name it is pulled as (`docker.io/library/alpine:3.19`). */
  onPulling?: (remote: string) => void;
}

export const PULL_POLICIES: readonly PullPolicy[] = ["missing", "always", "never"];

export function isPullPolicy(v: unknown): v is PullPolicy {
  return typeof v === "string" && (PULL_POLICIES as readonly string[]).includes(v);
}

/** Candidate remote names for `name`, in the order they are tried. Pure. */
export function remoteCandidates(name: string, search: readonly string[]): string[] {
  if (hasExplicitDomain(name)) return name.startsWith("localhost/") ? [] : [name];
  if (search.length === 0) return [dockerHubName(name)];
  return search.map((reg) => `${reg}/${name}`);
}

export async function resolveImage(store: ImageStore, name: string, opts: ResolveImageOptions = {}): Promise<ImageRecord> {
  const policy = opts.pull ?? "missing";
  const config = await registriesConfigFor(store, opts);
  const candidates = remoteCandidates(name, config.search);
  if (policy !== "always" || candidates.length === 0) {
    // Nowhere to pull from (a localhost/ name) makes `always` local too.
    const local = await findLocal(store, name, candidates);
    if (local) return local;
    if (policy === "never" || candidates.length === 0) throw notFound(name, "");
  }
  return (await pullFirst(store, name, candidates, { ...opts, config })).record;
}

/** The name as given (the store tries `docker.io/library/...` for a short one), then under each search registry's name. */
export async function findLocal(store: ImageStore, name: string, candidates: readonly string[]): Promise<ImageRecord | undefined> {
  const local = await store.resolve(name);
  if (local) return local;
  for (const remote of candidates) {
    const pulled = await store.resolve(remote);
    if (pulled) return pulled;
  }
  return undefined;
}

/**
 * `infra pull NAME`: a name with a registry is pulled from it; a short name from the first search
 * registry that has it.
 */
export async function pullByName(store: ImageStore, name: string, opts: PullOptions = {}): Promise<PullResult> {
  if (hasExplicitDomain(name)) return pullImage(store, name, opts);
  const config = await registriesConfigFor(store, opts);
  return pullFirst(store, name, remoteCandidates(name, config.search), { ...opts, config });
}

async function pullFirst(store: ImageStore, name: string, candidates: readonly string[], opts: ResolveImageOptions): Promise<PullResult> {
  const failures: string[] = [];
  for (const remote of candidates) {
    try {
      opts.onPulling?.(remote);
      return await pullImage(store, remote, opts);
    } catch (e) {
      // Another search registry may hold it; anything but "not there" or "not reachable" is final.
      if (isProviderError(e) && (e.category === "NotFound" || e.category === "Unavailable") && candidates.length > 1) {
        failures.push(`${remote}: ${e.message}`);
        continue;
      }
      // A short name: say which name it was pulled as (Docker Hub's, for most).
      if (isProviderError(e) && remote !== name) {
        throw new ProviderError(e.category, e.code, `image '${name}' is not in the local store, and pulling it as ${remote} failed: ${e.message}`, { ...(e.hint !== undefined ? { hint: e.hint } : {}), cause: e });
      }
      throw e;
    }
  }
  throw notFound(name, `; tried ${failures.join("; ")}`);
}


function notFound(name: string, where: string): Error {
  return registryError(
    "NotFound",
    "IMAGE_NOT_FOUND",
    `image '${name}' is not in the local store${where}`,
    hasExplicitDomain(name) ? "build or import it, or check the name" : "build, import or pull it (infra pull NAME), or check the name",
  );
}
