/** `network create` flags → NetworkSpec, pure (Docker's spellings: -d, --subnet, -o parent=eth0.100 ...). */
import type { NetworkSpec } from "../../graph/specs.js";
import type { FlagSpecs, ParsedFlags } from "../parse-flags.js";
import { usageError } from "../parse-flags.js";

export const CREATE_FLAGS: FlagSpecs = {
  driver: { kind: "string", short: "d" },
  subnet: { kind: "string" },
  gateway: { kind: "string" },
  "ip-range": { kind: "string" },
  internal: { kind: "boolean" },
  label: { kind: "list" },
  opt: { kind: "list", short: "o" },
};

/** "k=v" items into a record; a bare "k" means an empty value, as in Docker. */
export function keyValues(items: readonly string[], flag: string, command: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const it of items) {
    const eq = it.indexOf("=");
    const key = eq < 0 ? it : it.slice(0, eq);
    if (key === "") throw usageError("INFRA_CLI_FLAG_VALUE_INVALID", `Flag ${flag} takes KEY=VALUE, not "${it}"`, command);
    out[key] = eq < 0 ? "" : it.slice(eq + 1);
  }
  return out;
}

export function createSpecFromFlags(name: string, f: ParsedFlags, command: string): NetworkSpec {
  const driver = f.strings.driver ?? "bridge";
  if (driver !== "bridge" && driver !== "macvlan") {
    throw usageError("INFRA_CLI_FLAG_VALUE_INVALID", `Driver "${driver}" is not supported (bridge or macvlan)`, command);
  }
  const options = keyValues(f.lists.opt ?? [], "--opt", command);
  const spec: NetworkSpec = { name, driver, internal: f.booleans.internal ?? false, labels: keyValues(f.lists.label ?? [], "--label", command), options };
  if (f.strings.subnet !== undefined) spec.subnet = f.strings.subnet;
  if (f.strings.gateway !== undefined) spec.gateway = f.strings.gateway;
  if (f.strings["ip-range"] !== undefined) spec.ipRange = f.strings["ip-range"];
  if (driver === "macvlan") {
    const parent = options.parent;
    if (parent === undefined || parent === "") throw usageError("INFRA_CLI_FLAG_VALUE_MISSING", "A macvlan network needs -o parent=IFACE", command);
    // Docker's convention: parent=eth0.100 means VLAN 100 on eth0 (the sub-interface is made for you).
    const m = /^(.+)\.(\d{1,4})$/.exec(parent);
    if (m !== null) {
      spec.parent = m[1]!;
      spec.vlan = Number(m[2]);
    } else spec.parent = parent;
  } else if (options.parent !== undefined) {
    throw usageError("INFRA_CLI_FLAG_VALUE_INVALID", "-o parent is for --driver macvlan", command);
  }
  return spec;
}
