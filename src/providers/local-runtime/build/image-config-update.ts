/**
 * What the config-only instructions do to an image config, with Docker's semantics: CMD and
 * ENTRYPOINT in shell form run through SHELL; ENTRYPOINT drops an inherited CMD unless this
 * stage set one; ENV/LABEL/EXPOSE/VOLUME merge by key; HEALTHCHECK NONE disables an inherited
 * check; ONBUILD records its trigger. Pure: the scope (ARG/ENV values) is the only state changed
 * besides the config.
 */
import type { ImageRuntimeConfig } from "../image/image-types.js";
import type { ArgEnvScope } from "./arg-env-scope.js";
import { buildError } from "./build-error.js";
import type { DockerfileInstruction } from "./dockerfile-types.js";
import { parseGoDuration } from "./go-duration.js";

/** The image config's runtime part plus the fields Docker adds for builds. */
export interface BuildRuntimeConfig extends ImageRuntimeConfig {
  OnBuild?: string[] | null;
  Shell?: string[];
}

export interface StageConfig {
  config: BuildRuntimeConfig;
  /** SHELL in effect (default /bin/sh -c). */
  shell: string[];
  /** A CMD was written in this stage (ENTRYPOINT then keeps it). */
  cmdSet: boolean;
  author?: string;
}

export const DEFAULT_SHELL = ["/bin/sh", "-c"];

/** Flag value from `--name=value` strings as the parser keeps them. */
export function flagValue(flags: readonly string[], name: string): string | undefined {
  const f = flags.find((x) => x === `--${name}` || x.startsWith(`--${name}=`));
  if (f === undefined) return undefined;
  const i = f.indexOf("=");
  return i < 0 ? "true" : f.slice(i + 1);
}

/** argv of CMD/ENTRYPOINT/RUN: exec form as written, shell form through SHELL. */
export function commandArgv(ins: DockerfileInstruction, shell: readonly string[]): string[] {
  if (ins.json) return [...(ins.args as string[])];
  return [...shell, typeof ins.args === "string" ? ins.args : (ins.args as string[]).join(" ")];
}

function setEnv(cfg: BuildRuntimeConfig, scope: ArgEnvScope): void {
  cfg.Env = Object.entries(scope.envRecord()).map(([k, v]) => `${k}=${v}`);
}

function words(ins: DockerfileInstruction): string[] {
  return Array.isArray(ins.args) ? ins.args : [ins.args];
}

function exposeKeys(spec: string): string[] {
  const [range = "", proto = "tcp"] = spec.split("/", 2);
  const m = /^(\d+)(?:-(\d+))?$/.exec(range.includes(":") ? range.slice(range.lastIndexOf(":") + 1) : range);
  if (!m) throw buildError("Invalid", "EXPOSE", `invalid port '${spec}' in EXPOSE`, "write EXPOSE 80, 80/tcp, 53/udp or 8000-8010");
  const lo = Number(m[1]);
  const hi = m[2] !== undefined ? Number(m[2]) : lo;
  if (hi < lo || hi > 65535) throw buildError("Invalid", "EXPOSE", `invalid port range '${spec}' in EXPOSE`, "ports go from 1 to 65535, low-high");
  const out: string[] = [];
  for (let p = lo; p <= hi; p++) out.push(`${p}/${proto.toLowerCase()}`);
  return out;
}

/**
 * Applies one config-only instruction; returns the history `created_by` text. Throws for an
 * instruction that is not config-only (the builder handles those).
 */
export function applyConfigInstruction(st: StageConfig, ins: DockerfileInstruction, scope: ArgEnvScope): string {
  const cfg = st.config;
  switch (ins.instruction) {
    case "CMD":
      cfg.Cmd = commandArgv(ins, st.shell);
      st.cmdSet = true;
      return `CMD ${JSON.stringify(cfg.Cmd)}`;
    case "ENTRYPOINT":
      cfg.Entrypoint = commandArgv(ins, st.shell);
      if (!st.cmdSet) cfg.Cmd = null;
      return `ENTRYPOINT ${JSON.stringify(cfg.Entrypoint)}`;
    case "ENV":
      scope.applyEnv(ins.keyValues ?? []);
      setEnv(cfg, scope);
      return `ENV ${(ins.keyValues ?? []).map((kv) => `${kv.key}=${scope.lookup(kv.key) ?? ""}`).join(" ")}`;
    case "ARG":
      scope.declareArgs(ins.keyValues ?? []);
      return `ARG ${(ins.keyValues ?? []).map((kv) => (kv.raw === undefined ? kv.key : `${kv.key}=${scope.lookup(kv.key) ?? ""}`)).join(" ")}`;
    case "LABEL": {
      const labels = { ...(cfg.Labels ?? {}) };
      for (const kv of ins.keyValues ?? []) labels[scope.expandWord(kv.key)] = scope.expandWord(kv.raw ?? kv.value ?? "");
      cfg.Labels = labels;
      return `LABEL ${Object.entries(labels).filter(([k]) => (ins.keyValues ?? []).some((kv) => scope.expandWord(kv.key) === k)).map(([k, v]) => `${k}=${v}`).join(" ")}`;
    }
    case "EXPOSE": {
      const ports = { ...(cfg.ExposedPorts ?? {}) };
      const specs = words(ins).flatMap((w) => scope.expandWords(w));
      for (const s of specs) for (const k of exposeKeys(s)) ports[k] = {};
      cfg.ExposedPorts = ports;
      return `EXPOSE ${specs.map((s) => (s.includes("/") ? s : `${s}/tcp`)).join(" ")}`;
    }
    case "VOLUME": {
      const vols = { ...(cfg.Volumes ?? {}) };
      const list = ins.json ? (ins.args as string[]).map((w) => scope.expandWord(w)) : words(ins).flatMap((w) => scope.expandWords(w));
      for (const v of list) {
        if (v.trim() === "") throw buildError("Invalid", "VOLUME", "VOLUME specified can not be an empty string", "give the volume a path, e.g. VOLUME /data");
        vols[v] = {};
      }
      cfg.Volumes = vols;
      return `VOLUME ${JSON.stringify(list)}`;
    }
    case "USER":
      cfg.User = scope.expandWord(words(ins).join(" "));
      return `USER ${cfg.User}`;
    case "STOPSIGNAL":
      cfg.StopSignal = scope.expandWord(words(ins).join(" "));
      return `STOPSIGNAL ${cfg.StopSignal}`;
    case "SHELL":
      st.shell = [...(ins.args as string[])];
      cfg.Shell = [...st.shell];
      return `SHELL ${JSON.stringify(st.shell)}`;
    case "MAINTAINER":
      st.author = words(ins).join(" ");
      return `MAINTAINER ${st.author}`;
    case "ONBUILD": {
      const trigger = ins.original.replace(/^\s*onbuild\s+/i, "");
      cfg.OnBuild = [...(cfg.OnBuild ?? []), trigger];
      return `ONBUILD ${trigger}`;
    }
    case "HEALTHCHECK": {
      const args = ins.args as string[];
      const type = (args[0] ?? "").toUpperCase();
      if (type === "NONE") {
        cfg.Healthcheck = { Test: ["NONE"] };
        return "HEALTHCHECK NONE";
      }
      const rest = args.slice(1);
      const hc: NonNullable<ImageRuntimeConfig["Healthcheck"]> & { StartInterval?: number } = {
        Test: ins.json ? ["CMD", ...rest] : ["CMD-SHELL", rest.join(" ")],
      };
      const dur = (name: string): number | undefined => {
        const v = flagValue(ins.flags, name);
        return v === undefined ? undefined : parseGoDuration(v);
      };
      const interval = dur("interval");
      const timeout = dur("timeout");
      const start = dur("start-period");
      const startInterval = dur("start-interval");
      if (interval) hc.Interval = interval;
      if (timeout) hc.Timeout = timeout;
      if (start) hc.StartPeriod = start;
      if (startInterval) hc.StartInterval = startInterval;
      const retries = flagValue(ins.flags, "retries");
      if (retries !== undefined && Number(retries) > 0) hc.Retries = Number(retries);
      cfg.Healthcheck = hc;
      return ins.original;
    }
    default:
      throw buildError("Internal", "NOT_CONFIG_INSTRUCTION", `${ins.instruction} is not a config-only instruction`);
  }
}

/** Instructions that only change the config (a history entry with `empty_layer`). */
export const CONFIG_ONLY = new Set(["CMD", "ENTRYPOINT", "ENV", "ARG", "LABEL", "EXPOSE", "VOLUME", "USER", "STOPSIGNAL", "SHELL", "MAINTAINER", "ONBUILD", "HEALTHCHECK"]);
