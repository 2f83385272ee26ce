/**
 * The Image resource with `build`: create (and replace) builds the context into the store
 * under the image's name; read reports the image gone when its name no longer points at the
 * image infra built. Builds run in the calling process on the store under the engine's root
 * (the store is plain files), so the engine needs no build route; `infra plan` never gets here.
 */
import { isInfraError } from "../../../diag/index.js";
import type { ImageBuildSpec } from "../../../graph/specs.js";
import type { Props } from "../../../graph/value.js";
import { isProviderError, ProviderError, type ResourceResult } from "../../contract.js";
import type { EngineClient } from "../engine/engine-client.js";
import { ImageStore } from "../image/image-store.js";
import type { ImageRecord } from "../image/image-types.js";
import { resolveLayout, type LayoutOptions } from "../layout.js";
import { buildImage } from "./build-image.js";
import type { BuildProgress } from "./build-types.js";

export async function buildImageResource(layout: LayoutOptions, props: Props, onProgress?: (e: BuildProgress) => void): Promise<ResourceResult> {
  const b = props.build as unknown as ImageBuildSpec;
  const name = String(props.name);
  const store = new ImageStore(resolveLayout(layout));
  await store.init();
  try {
    const r = await buildImage(store, {
      contextDir: b.context,
      dockerfile: b.dockerfile ?? "Dockerfile",
      tags: [name],
      buildArgs: b.args ?? {},
      ...(b.target !== undefined ? { target: b.target } : {}),
      ...(onProgress ? { onProgress } : {}),
    });
    return { id: r.id, props, outputs: { id: r.id, digest: r.digest, name } };
  } catch (e) {
    // Dockerfile syntax errors come from the shared parser as InfraErrors.
    if (!isProviderError(e) && isInfraError(e)) throw new ProviderError("Invalid", e.code, e.detail ?? e.summary, e.hint !== undefined ? { hint: e.hint, cause: e } : { cause: e });
    throw e;
  } finally {
    store.close(); // the infra-host it started to unpack base layers
  }
}

export async function readBuiltImage(c: EngineClient, id: string, props: Props): Promise<ResourceResult> {
  const name = String(props.name);
  const img = await c.call<ImageRecord>("GET", `/images/${encodeURIComponent(name)}`);
  if (img.id !== id)
    throw new ProviderError("NotFound", "INFRA_RUNTIME_IMAGE_NOT_FOUND", `image '${name}' now names another image (${img.id.slice(7, 19)}), not the one infra built`, { hint: "apply rebuilds it" });
  return { id: img.id, props, outputs: { id: img.id, digest: img.digest, name } };
}
