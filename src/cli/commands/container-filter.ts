/**
 * `ps --filter KEY=VALUE` as Docker reads it: filters on different keys must all match, several
 * values of one key match when any does, except labels, which must all match (Docker's MatchKVList). Keys: id (prefix), name (substring), label (KEY or
 * KEY=VALUE), status, network (name), ancestor (image reference or id prefix), exited (code). Pure.
 */
import type { ContainerRecord } from "../../providers/local-runtime/container/container-record.js";
import { usageError } from "../parse-flags.js";

const STATUSES = ["created", "restarting", "running", "removing", "paused", "exited", "dead"];
const KEYS = ["id", "name", "label", "status", "network", "ancestor", "exited"];

export type ContainerFilters = Map<string, string[]>;

export function parseContainerFilters(values: readonly string[], command: string): ContainerFilters {
  const out: ContainerFilters = new Map();
  for (const v of values) {
    const i = v.indexOf("=");
    const key = i < 0 ? v : v.slice(0, i);
    if (i <= 0 || !KEYS.includes(key)) throw usageError("INFRA_CLI_BAD_FILTER", `--filter '${v}': use KEY=VALUE with a key of ${KEYS.join(", ")}`, command);
    const value = v.slice(i + 1);
    if (key === "status" && !STATUSES.includes(value)) throw usageError("INFRA_CLI_BAD_FILTER", `--filter '${v}': status is one of ${STATUSES.join(", ")}`, command);
    if (key === "exited" && !/^-?\d+$/.test(value)) throw usageError("INFRA_CLI_BAD_FILTER", `--filter '${v}': exited takes an exit code`, command);
    out.set(key, [...(out.get(key) ?? []), value]);
  }
  return out;
}

/** The networks a container is on, by name (bridge, host, none, or its user networks). */
export function containerNetworks(r: ContainerRecord): string[] {
  const mode = r.spec.networkMode ?? "bridge";
  if (typeof mode === "object") return [`container:${mode.container}`];
  const user = (r.spec.networks ?? []).map((n) => n.network);
  if (user.length > 0) return user;
  return [mode];
}

function matches(r: ContainerRecord, key: string, v: string): boolean {
  switch (key) {
    case "id": return r.id.startsWith(v);
    case "name": return r.name.includes(v.replace(/^\//, ""));
    case "label": {
      const i = v.indexOf("=");
      const labels = r.spec.labels ?? {};
      return i < 0 ? v in labels : labels[v.slice(0, i)] === v.slice(i + 1);
    }
    case "status": return r.state === v;
    case "network": return containerNetworks(r).includes(v) || (r.network?.endpoints ?? []).some((e) => e.network === v);
    case "ancestor": return sameImage(r.spec.image, v) || r.imageId.replace(/^sha256:/, "").startsWith(v.replace(/^sha256:/, ""));
    case "exited": return r.state === "exited" && r.exitCode === Number(v);
    default: return false;
  }
}

/** `busybox` and `busybox:latest` name the same image. */
function sameImage(a: string, b: string): boolean {
  const norm = (x: string) => (/:[^/]+$|@/.test(x) ? x : `${x}:latest`).replace(/^localhost\//, "");
  return norm(a) === norm(b);
}

export function filterContainers(list: readonly ContainerRecord[], filters: ContainerFilters): ContainerRecord[] {
  return list.filter((r) => [...filters].every(([key, values]) => (key === "label" ? values.every((v) => matches(r, key, v)) : values.some((v) => matches(r, key, v)))));
}
