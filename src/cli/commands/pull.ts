/** `infra pull REF`: copies an image from an OCI registry into the local image store. */
import { ImageStore } from "../../providers/local-runtime/image/image-store.js";
import { tarLimitsFromEnv } from "../../providers/local-runtime/image/tar-limits.js";
import { resolveLayout } from "../../providers/local-runtime/layout.js";
import { authFilePath } from "../../providers/local-runtime/registry/credentials.js";
import type { BlobProgress } from "../../providers/local-runtime/registry/pull-image.js";
import { pullByName } from "../../providers/local-runtime/registry/resolve-image.js";
import type { Platform } from "../../providers/local-runtime/registry/select-platform.js";
import type { Command, CommandIO } from "../command.js";
import { expectPositionals, parseFlags, usageError } from "../parse-flags.js";
import { reportImageEvent } from "./report-image-event.js";

const NAME = "pull";

/** The store under `$INFRA_ROOT` (the engine's own root by default), opened in this process. */
export async function openImageStore(env: NodeJS.ProcessEnv): Promise<ImageStore> {
  const store = new ImageStore(resolveLayout({}, env), { limits: tarLimitsFromEnv(env) });
  await store.init();
  return store;
}

/** One line per finished blob: `3f2a9c1b7d4e  layer   2.1 MB  downloaded`. Pure. */
export function renderBlobProgress(p: BlobProgress): string | undefined {
  if (p.action === undefined) return undefined;
  const how = p.action === "mounted" && p.from !== undefined ? `mounted from ${p.from}` : p.action === "present" ? "already present" : p.action === "exists" ? "already on the registry" : p.action;
  return `${p.digest.slice(7, 19)}  ${p.kind.padEnd(6)}  ${formatBytes(p.size).padStart(9)}  ${how}\n`;
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} kB`;
  if (n < 1024 * 1024 * 1024) return `${(n / 1024 / 1024).toFixed(1)} MB`;
  return `${(n / 1024 / 1024 / 1024).toFixed(2)} GB`;
}

export function parsePlatform(v: string, command: string): Platform {
  const [os, architecture, variant, extra] = v.split("/");
  if (!os || !architecture || extra !== undefined) throw usageError("INFRA_CLI_FLAG_VALUE_INVALID", `Flag --platform takes OS/ARCH[/VARIANT], e.g. linux/amd64, not "${v}"`, command);
  return variant ? { os, architecture, variant } : { os, architecture };
}

export const pullCommand: Command = {
  name: ["pull"],
  aliases: [["image", "pull"]],
  summary: "Copy an image from a registry into the local store",
  usage: [
    "Usage: infra pull [-q] [--platform OS/ARCH] [HOST[:PORT]/]NAME[:TAG|@DIGEST]",
    "",
    "Downloads the manifest, config and layers (verifying every digest) and stores the image under",
    "its full name. A manifest list or index resolves to its linux/amd64 image. Registries on",
    "localhost or 127.0.0.1, or listed under \"insecure-registries\" in the engine settings",
    "(docs/engine-config.md) or \"insecure\" in $INFRA_ROOT/registries.json, are reached over plain",
    "HTTP; credentials come from `infra login`. A NAME without HOST is Docker Hub's, as Docker reads",
    "it (alpine:3.19 is docker.io/library/alpine:3.19), pulled through the engine settings'",
    "\"registry-mirrors\" in order, then from Docker Hub; with \"search\" registries in registries.json,",
    "those are tried instead, in order.",
    "",
    "  -q, --quiet          print only the image's name",
    "  --platform OS/ARCH   pick another platform from a manifest list (default linux/amd64)",
  ].join("\n"),
  async run(argv: string[], io: CommandIO): Promise<number> {
    const flags = parseFlags(argv, { quiet: { kind: "boolean", short: "q" }, platform: { kind: "string" } }, NAME);
    expectPositionals(flags, 1, 1, NAME);
    const ref = flags.positionals[0] as string;
    const platform = flags.strings.platform !== undefined ? parsePlatform(flags.strings.platform, NAME) : undefined;
    const store = await openImageStore(io.env);
    const quiet = flags.booleans.quiet === true;
    const result = await pullByName(store, ref, {
      authFile: authFilePath(io.env),
      ...(io.signal ? { signal: io.signal } : {}),
      ...(platform ? { platform } : {}),
      onProgress: (p) => {
        const line = quiet ? undefined : renderBlobProgress(p);
        if (line !== undefined) io.stderr.write(line);
      },
    });
    if (!quiet) {
      io.stderr.write(`Digest: ${result.record.digest}${result.indexDigest !== undefined ? ` (from index ${result.indexDigest})` : ""}\n`);
      io.stderr.write(`${result.downloaded === 0 ? "Image is up to date" : `Downloaded ${result.downloaded} blob${result.downloaded === 1 ? "" : "s"}, ${formatBytes(result.downloadedBytes)}`}\n`);
    }
    await reportImageEvent(io.env, "pull", result.record.id, [result.name]);
    io.stdout.write(`${result.name}\n`);
    return 0;
  },
};
