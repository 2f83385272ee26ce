/**
 * A container as Docker's `ps --format` names its fields (`{{.ID}}`, `{{.Names}}`, `{{.Label "k"}}`
 * ...), the header of each for `table`, and the rendering of a format over a list. Pure.
 */
import type { ContainerRecord } from "../../providers/local-runtime/container/container-record.js";
import { alignTable, parseTemplate, renderTemplate } from "../go-template.js";
import { containerNetworks } from "./container-filter.js";
import { portsColumn } from "./port.js";

export interface PsRow {
  ID: string;
  Names: string;
  Image: string;
  Command: string;
  CreatedAt: string;
  RunningFor: string;
  Ports: string;
  State: string;
  Status: string;
  Labels: string;
  Mounts: string;
  Networks: string;
  Label: (key: string) => string;
}

const HEADERS: Record<string, string> = {
  ID: "CONTAINER ID", Names: "NAMES", Image: "IMAGE", Command: "COMMAND", CreatedAt: "CREATED AT", RunningFor: "CREATED",
  Ports: "PORTS", State: "STATE", Status: "STATUS", Labels: "LABELS", Mounts: "MOUNTS", Networks: "NETWORKS",
};

/** Go's time.Time as Docker prints CreatedAt: `2026-12-08 01:02:03 +0000 UTC`. */
function goTime(iso: string): string {
  return `${iso.slice(0, 19).replace("T", " ")} +0000 UTC`;
}

function ago(iso: string, now: number): string {
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  return s < 60 ? `${s} seconds ago` : s < 3600 ? `${Math.round(s / 60)} minutes ago` : s < 172800 ? `${Math.round(s / 3600)} hours ago` : `${Math.round(s / 86400)} days ago`;
}

export function psRow(r: ContainerRecord, status: string, noTrunc: boolean, now = Date.now()): PsRow {
  const labels = r.spec.labels ?? {};
  const cmd = [...(r.spec.entrypoint ?? []), ...(r.spec.command ?? [])].join(" ");
  return {
    ID: noTrunc ? r.id : r.id.slice(0, 12),
    Names: r.name,
    Image: r.spec.image,
    Command: JSON.stringify(noTrunc || cmd.length <= 20 ? cmd : `${cmd.slice(0, 19)}…`),
    CreatedAt: goTime(r.createdAt),
    RunningFor: ago(r.createdAt, now),
    Ports: portsColumn(r.network?.ports ?? []),
    State: r.state,
    Status: status,
    Labels: Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(","),
    Mounts: r.mounts.map((m) => m.source ?? m.target).join(","),
    Networks: containerNetworks(r).join(","),
    Label: (key: string) => labels[key] ?? "",
  };
}

/** The lines of `ps --format FORMAT` for these rows. */
export function renderPs(format: string, rows: readonly PsRow[]): string {
  const t = parseTemplate(format, "ps");
  if (t.json) return rows.map((r) => renderTemplate(t, r, "ps") + "\n").join("");
  const lines = rows.map((r) => renderTemplate(t, r, "ps", true));
  if (!t.table) return lines.map((l) => l + "\n").join("");
  const header = renderTemplate(t, { ...HEADERS, Label: () => "LABEL" }, "ps", true);
  return alignTable([header, ...lines]);
}
