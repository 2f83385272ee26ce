/** Outputs the in-memory provider invents, shaped like the real engine's (ids, addresses, ports, digests). */
import { createHash } from "node:crypto";
import type { ResourceType } from "../../graph/resource.js";
import { canonicalJson, type Props, type Value } from "../../graph/value.js";

export function sha256(data: string): string {
  return createHash("sha256").update(data).digest("hex");
}

function str(v: Value | undefined, fallback: string): string {
  return typeof v === "string" ? v : fallback;
}

/** Counters that make generated addresses and ports unique within one provider instance. */
export interface OutputSeq {
  ip: number;
  port: number;
  subnet: number;
}

function nextIp(seq: OutputSeq): string {
  const n = seq.ip++;
  return `10.88.${Math.floor(n / 250)}.${(n % 250) + 2}`;
}

function hostPorts(props: Props, seq: OutputSeq): Record<string, number> {
  const out: Record<string, number> = {};
  const ports = Array.isArray(props.ports) ? props.ports : [];
  for (const p of ports) {
    if (typeof p !== "object" || p === null || Array.isArray(p)) continue;
    const o = p as Record<string, Value>;
    const cp = typeof o.containerPort === "number" ? o.containerPort : 0;
    const proto = str(o.protocol, "tcp");
    const count = typeof o.count === "number" ? o.count : 1;
    const first = typeof o.hostPort === "number" ? o.hostPort : undefined;
    for (let i = 0; i < count; i++) {
      if (first === undefined) seq.port += 1;
      out[`${cp + i}/${proto}`] = first === undefined ? 32767 + seq.port : first + i;
    }
  }
  return out;
}

function networkNames(props: Props): string[] {
  const nets = Array.isArray(props.networks) ? props.networks : [];
  const names: string[] = [];
  for (const n of nets) {
    if (typeof n === "object" && n !== null && !Array.isArray(n) && typeof (n as Record<string, Value>).network === "string") {
      names.push((n as Record<string, Value>).network as string);
    }
  }
  return names.length > 0 ? names : ["bridge"];
}

/** Container addresses, one per attached network. */
export function containerAddresses(props: Props, seq: OutputSeq): { ipAddress: string; ipAddresses: Record<string, string> } {
  const ipAddresses: Record<string, string> = {};
  for (const n of networkNames(props)) ipAddresses[n] = nextIp(seq);
  return { ipAddress: Object.values(ipAddresses)[0] ?? "", ipAddresses };
}

export function makeOutputs(type: ResourceType, id: string, address: string, props: Props, seq: OutputSeq): Props {
  const name = str(props.name, address.slice(address.indexOf(".") + 1));
  switch (type) {
    case "container": {
      const a = containerAddresses(props, seq);
      return { id, ipAddress: a.ipAddress, ipAddresses: a.ipAddresses, hostPorts: hostPorts(props, seq), imageId: str(props.image, ""), status: "running" };
    }
    case "network": {
      seq.subnet += 1;
      const subnet = str(props.subnet, `10.200.${seq.subnet}.0/24`);
      const base = subnet.split("/")[0] ?? "10.200.0.0";
      const gateway = str(props.gateway, base.replace(/\.\d+$/, ".1"));
      return { id, name, subnet, gateway };
    }
    case "volume":
      return { id, name, mountpoint: `/var/lib/infra/volumes/${name}/_data` };
    case "image":
    {
      // Only what changes the image's content: pull policy and keepLocally update in place.
      const content = canonicalJson({ name: props.name ?? null, build: props.build ?? null });
      return { id: `sha256:${sha256(content)}`, digest: `sha256:${sha256("manifest:" + content)}`, name };
    }
  }
}
