/**
 * The image a container or build asks for by name: the local store first (with the built-in
 * busybox and scratch), then the registry the name gives, or, for a short name like `busybox`,
 * each `search` registry of registries.json in order. Exported for the engine.
 */
import type { ImageStore } from "../image/image-store.js";
import type { ImageRecord } from "../image/image-types.js";
import { isProviderError } from "../../contract.js";
import { registriesConfigFor } from "./open-client.js";
import { pullImage, type PullOptions, type PullResult } from "./pull-image.js";
import { registryError } from "./registry-error.js";
import { hasExplicitDomain } from "./remote-ref.js";

export type PullPolicy = "missing" | "always" | "never";

export interface ResolveImageOptions extends PullOptions {
  /** `missing` (default): pull only when not stored; `always`: pull, falling back to nothing; `never`: local only. */
  pull?: PullPolicy;
}

/** Candidate remote names for `name`, in the order they are tried. Pure. */
export function remoteCandidates(name: string, search: readonly string[]): string[] {
  if (hasExplicitDomain(name)) return name.startsWith("localhost/") ? [] : [name];
  return search.map((reg) => `${reg}/${name}`);
}

export async function resolveImage(store: ImageStore, name: string, opts: ResolveImageOptions = {}): Promise<ImageRecord> {
  const policy = opts.pull ?? "missing";
  if (policy !== "always") {
    const local = await store.resolve(name);
    if (local) return local;
  }
  const config = await registriesConfigFor(store, opts);
  const candidates = policy === "never" ? [] : remoteCandidates(name, config.search);
  if (candidates.length === 0 && policy === "always") {
    // Nowhere to pull from (a localhost/ name, no search registries): the local image is the answer.
    const local = await store.resolve(name);
    if (local) return local;
  }
  if (policy === "missing") {
    // A short name pulled earlier is stored under its registry's name: find it without the network.
    for (const remote of candidates) {
      const pulled = await store.resolve(remote);
      if (pulled) return pulled;
    }
  }
  if (candidates.length === 0) throw notFound(name, policy === "never" || hasExplicitDomain(name) ? "" : "; no search registries are configured");
  return (await pullFirst(store, name, candidates, { ...opts, config })).record;
}

/**
 * `infra pull NAME`: a name with a registry is pulled from it; a short name from the first search
 * registry that has it.
 */
export async function pullByName(store: ImageStore, name: string, opts: PullOptions = {}): Promise<PullResult> {
  if (hasExplicitDomain(name)) return pullImage(store, name, opts);
  const config = await registriesConfigFor(store, opts);
  if (config.search.length === 0) return pullImage(store, name, opts);
  return pullFirst(store, name, remoteCandidates(name, config.search), { ...opts, config });
}

async function pullFirst(store: ImageStore, name: string, candidates: readonly string[], opts: PullOptions): Promise<PullResult> {
  const failures: string[] = [];
  for (const remote of candidates) {
    try {
      return await pullImage(store, remote, opts);
    } catch (e) {
      // Another search registry may hold it; anything but "not there" or "not reachable" is final.
      if (isProviderError(e) && (e.category === "NotFound" || e.category === "Unavailable") && candidates.length > 1) {
        failures.push(`${remote}: ${e.message}`);
        continue;
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
    hasExplicitDomain(name) ? "build or import it, or check the name" : 'build, import or pull it (infra pull HOST/NAME), or list registries under "search" in registries.json',
  );
}
