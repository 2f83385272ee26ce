/**
 * The engine's pull before a create (`POST /containers?pull=`, `POST /run`, `POST /images/pull`):
 * the image as the container names it, local first, else pulled through the engine's registry
 * settings (mirrors and insecure registries of engine-config.ts, search registries of registries.json).
 */
import type { ImageRecord } from "../image/image-types.js";
import { withEngineConfig, loadRegistriesConfig, registriesConfigPath, type RegistriesConfig } from "../registry/registries-config.js";
import type { BlobProgress } from "../registry/pull-image.js";
import { findLocal, isPullPolicy, remoteCandidates, resolveImage, type PullPolicy } from "../registry/resolve-image.js";
import { runtimeError } from "../runtime-error.js";
import type { EngineContext } from "./engine-routes.js";

/** What a pull reports as it goes: the name asked for, each blob, then the image stored. */
export type PullEvent =
  | { pulling: string }
  | { blob: BlobProgress }
  | { pulled: { name: string; digest: string } };

export function pullPolicyOf(v: unknown): PullPolicy {
  if (v === undefined || v === null || v === "") return "missing";
  if (!isPullPolicy(v)) throw runtimeError("Invalid", "BAD_PULL_POLICY", `pull policy ${JSON.stringify(v)} is not one the engine knows`, "use missing, always or never");
  return v;
}

/** registries.json is read on every pull (it may change); the engine settings were read at start. */
async function registriesOf(ctx: EngineContext): Promise<RegistriesConfig> {
  return withEngineConfig(await loadRegistriesConfig(registriesConfigPath(ctx.images.layout.root)), ctx.engineConfig);
}

/** The name `ensureImage` would pull first, or undefined when it asks no registry (a stored image and `missing`/`never`). */
export async function needsPull(ctx: EngineContext, image: unknown, policy: PullPolicy): Promise<string | undefined> {
  if (typeof image !== "string" || policy === "never") return undefined;
  const candidates = remoteCandidates(image, (await registriesOf(ctx)).search);
  if (candidates.length === 0) return undefined;
  if (policy === "missing" && (await findLocal(ctx.images, image, candidates)) !== undefined) return undefined;
  return candidates[0];
}

/**
 * Pulls the image when the policy says so; undefined when nothing was pulled (a stored image,
 * `never`, a name that is not a string: the create's own check reports what is wrong).
 * Pulls of the same name at once (a stack's containers sharing an image) share one transfer.
 */
export async function ensureImage(ctx: EngineContext, image: unknown, policy: PullPolicy, onEvent?: (e: PullEvent) => void): Promise<ImageRecord | undefined> {
  // Stored, or not to be pulled: the create finds it, or says it is not stored.
  if (typeof image !== "string" || (await needsPull(ctx, image, policy)) === undefined) return undefined;
  const key = `${policy}\u0000${image}`;
  const running = ctx.pulls.get(key);
  if (running !== undefined && onEvent === undefined) return running;
  const p = (async () => {
    const config = await registriesOf(ctx);
    let asked: string | undefined;
    const record = await resolveImage(ctx.images, image, {
      pull: policy, config,
      onPulling: (remote) => { asked = remote; onEvent?.({ pulling: remote }); },
      ...(onEvent ? { onProgress: (b: BlobProgress) => onEvent({ blob: b }) } : {}),
    });
    if (asked !== undefined) onEvent?.({ pulled: { name: asked, digest: record.digest } });
    return record;
  })();
  ctx.pulls.set(key, p);
  try {
    return await p;
  } finally {
    if (ctx.pulls.get(key) === p) ctx.pulls.delete(key);
  }
}
