/**
 * Bounds on what one layer may make the engine read and write: a layer is hostile input, and a
 * gzip bomb, an entry-count bomb, a 2,000-deep tree or a megabyte-long PAX header must end in a
 * clear error, not in a full disk, a swollen engine or a raw ENAMETOOLONG. Every bound can be
 * raised through the environment of the process that unpacks (the engine, or the CLI for builds
 * and loads).
 */
import { runtimeError } from "../runtime-error.js";

export interface TarLimits {
  /** Uncompressed bytes of one layer (headers and padding included): the gzip-bomb bound. */
  maxLayerBytes: number;
  /** Entries of one layer (PAX and long-name records not counted). */
  maxEntries: number;
  /** Bytes of one entry's path or link target. */
  maxPathBytes: number;
  /** Names in one entry's path. */
  maxPathDepth: number;
  /** Bytes of one PAX or GNU long-name record, and of all global PAX records together. */
  maxHeaderBytes: number;
}

export const DEFAULT_TAR_LIMITS: Readonly<TarLimits> = Object.freeze({
  maxLayerBytes: 16 * 1024 ** 3,
  maxEntries: 1_000_000,
  // PATH_MAX is 4096 with the layer's own directory in front: ~3.5 kB leaves room for it.
  maxPathBytes: 3584,
  maxPathDepth: 256,
  maxHeaderBytes: 1024 ** 2,
});

/** The environment variable of each limit. */
export const TAR_LIMIT_ENV: Readonly<Record<keyof TarLimits, string>> = Object.freeze({
  maxLayerBytes: "INFRA_LAYER_MAX_BYTES",
  maxEntries: "INFRA_LAYER_MAX_ENTRIES",
  maxPathBytes: "INFRA_LAYER_MAX_PATH_BYTES",
  maxPathDepth: "INFRA_LAYER_MAX_DEPTH",
  maxHeaderBytes: "INFRA_LAYER_MAX_HEADER_BYTES",
});

/** The defaults, each replaced by its environment variable when set; a bad value is an error. */
export function tarLimitsFromEnv(env: NodeJS.ProcessEnv = process.env): TarLimits {
  const out: TarLimits = { ...DEFAULT_TAR_LIMITS };
  for (const key of Object.keys(TAR_LIMIT_ENV) as Array<keyof TarLimits>) {
    const name = TAR_LIMIT_ENV[key];
    const raw = env[name];
    if (raw === undefined || raw === "") continue;
    const v = Number(raw);
    if (!/^[0-9]+$/.test(raw.trim()) || !Number.isSafeInteger(v) || v <= 0)
      throw runtimeError("Invalid", "TAR_LIMIT_INVALID", `${name}='${raw}' is not a positive whole number`, `unset it for the default (${DEFAULT_TAR_LIMITS[key]}), or give a number such as ${DEFAULT_TAR_LIMITS[key]}`);
    out[key] = v;
  }
  return out;
}

/** The error for a layer over one of its limits: which limit, the value found, and how to raise it. */
export function limitError(key: keyof TarLimits, code: string, found: string, limits: TarLimits): Error {
  return runtimeError("Invalid", code, `${found}; the limit is ${limits[key]} (${TAR_LIMIT_ENV[key]})`, `the layer is malformed or hostile; if it is genuine, raise ${TAR_LIMIT_ENV[key]} for the engine (and the CLI for builds and loads). Nothing outside the layer was written`);
}
