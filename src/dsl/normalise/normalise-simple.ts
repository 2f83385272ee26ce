import * as path from "node:path";
import type { Props, Value } from "../../graph/value.js";
import type { Image } from "../image.js";
import type { Network } from "../network.js";
import type { Volume } from "../volume.js";
import { checkKeys, type SynthContext } from "./synth-context.js";

const NETWORK_KEYS = ["name", "driver", "subnet", "gateway", "ipRange", "internal", "labels", "options", "parent", "vlan"] as const;
const VOLUME_KEYS = ["name", "driver", "labels", "driverOpts"] as const;
const IMAGE_KEYS = ["name", "build", "pull", "keepLocally"] as const;

/** Engine names of networks and volumes are `<stack>_<path>`, as compose names them. */
export function sharedName(stack: string, path: string): string {
  return `${stack}_${path.replaceAll("/", "_")}`;
}

function copy(ctx: SynthContext, out: Props, raw: Record<string, unknown>, keys: readonly string[]): void {
  for (const k of keys) {
    if (k in out) continue;
    const v = ctx.toValue(raw[k], k);
    if (v !== undefined) out[k] = v;
  }
}

export function normaliseNetwork(ctx: SynthContext, n: Network): Props {
  const p = n.rawProps;
  checkKeys(ctx, p, NETWORK_KEYS);
  const out: Props = { name: p.name ?? sharedName(ctx.stack.name, n.node.path), driver: p.driver ?? "bridge" };
  copy(ctx, out, p as Record<string, unknown>, NETWORK_KEYS);
  return out;
}

export function normaliseVolume(ctx: SynthContext, v: Volume): Props {
  const p = v.rawProps;
  checkKeys(ctx, p, VOLUME_KEYS);
  const out: Props = { name: p.name ?? sharedName(ctx.stack.name, v.node.path), driver: p.driver ?? "local" };
  copy(ctx, out, p as Record<string, unknown>, VOLUME_KEYS);
  return out;
}

export function normaliseImage(ctx: SynthContext, img: Image): Props {
  const p = img.rawProps;
  checkKeys(ctx, p, IMAGE_KEYS);
  const id = img.node.path.replaceAll("/", "-");
  const local = `localhost/${`${ctx.stack.name}-${id}`.toLowerCase()}:latest`;
  const out: Props = { name: p.name ?? (p.build !== undefined ? local : id) };
  if (p.build !== undefined) {
    const b = typeof p.build === "string" ? { context: p.build } : p.build;
    const dir = ctx.stack.dir;
    const context = path.isAbsolute(b.context) || dir === undefined ? b.context : path.resolve(dir, b.context);
    const build: Record<string, Value> = { context, dockerfile: b.dockerfile ?? "Dockerfile" };
    const rest = ctx.toValue({ args: b.args, target: b.target }, "build");
    if (rest !== null && typeof rest === "object" && !Array.isArray(rest)) Object.assign(build, rest);
    out.build = build;
  }
  copy(ctx, out, p as Record<string, unknown>, ["pull", "keepLocally"]);
  return out;
}
