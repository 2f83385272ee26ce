/** Inputs, progress events and results of an image build. */
import type { Descriptor, ImageConfig } from "../image/image-types.js";
import type { ArgEnvScope } from "./arg-env-scope.js";
import type { StageConfig } from "./image-config-update.js";

export interface BuildImageOptions {
  /** Absolute path of the build context. */
  contextDir: string;
  /** Dockerfile path relative to the context (or absolute). Default `Dockerfile`. */
  dockerfile?: string;
  /** Names to tag the result with (`app:1`, `localhost/app`). */
  tags: string[];
  buildArgs?: Record<string, string>;
  target?: string;
  noCache?: boolean;
  onProgress?: (e: BuildProgress) => void;
  signal?: AbortSignal;
}

export type BuildProgress =
  | { kind: "step"; step: number; total: number; text: string }
  | { kind: "cached" }
  | { kind: "output"; stream: "stdout" | "stderr"; data: string }
  | { kind: "layer"; digest: string; size: number }
  | { kind: "warning"; message: string }
  | { kind: "done"; id: string; digest: string; names: string[] };

export interface BuildResult {
  /** Image id (config digest). */
  id: string;
  /** Manifest digest. */
  digest: string;
  names: string[];
  /** Steps taken from the cache, and steps run. */
  cached: number;
  ran: number;
}

export type HistoryEntry = NonNullable<ImageConfig["history"]>[number];

/** A stage while it is being built. */
export interface StageState {
  layers: Descriptor[];
  diffIds: string[];
  history: HistoryEntry[];
  stage: StageConfig;
  scope: ArgEnvScope;
  /** Key of everything up to here (base image and every step). */
  chainKey: string;
  /** Time of the newest step (keeps cached rebuilds byte-identical). */
  created: string;
  architecture: string;
  os: string;
}
