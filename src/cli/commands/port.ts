/** `infra port NAME [PRIVATE_PORT[/PROTO]]`: a container's published ports, as bound (random ones included). */
import { InfraError } from "../../diag/infra-error.js";
import type { ContainerRecord } from "../../providers/local-runtime/container/container-record.js";
import type { PublishedPort } from "../../providers/local-runtime/network/network-types.js";
import type { Command } from "../command.js";
import { expectPositionals, parseFlags } from "../parse-flags.js";
import { engineFor } from "./engine-session.js";

/** Docker's `port` lines: `80/tcp -> 0.0.0.0:8080`. Pure. */
export function portLines(ports: readonly PublishedPort[], filter?: { port: number; protocol: string }): string[] {
  return [...ports]
    .filter((p) => filter === undefined || (p.containerPort === filter.port && p.protocol === filter.protocol))
    .sort((a, b) => a.containerPort - b.containerPort || a.protocol.localeCompare(b.protocol) || a.hostPort - b.hostPort)
    .map((p) => `${p.containerPort}/${p.protocol} -> ${p.hostIp}:${p.hostPort}`);
}

/** The PORTS column of `ps`: `0.0.0.0:8080->80/tcp, 127.0.0.1:32768->53/udp`; consecutive ports folded into ranges. Pure. */
export function portsColumn(ports: readonly PublishedPort[]): string {
  const sorted = [...ports].sort((a, b) => a.protocol.localeCompare(b.protocol) || a.hostIp.localeCompare(b.hostIp) || a.containerPort - b.containerPort);
  const out: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    const first = sorted[i]!;
    let j = i;
    while (j + 1 < sorted.length) {
      const next = sorted[j + 1]!;
      const cur = sorted[j]!;
      if (next.protocol !== first.protocol || next.hostIp !== first.hostIp || next.containerPort !== cur.containerPort + 1 || next.hostPort !== cur.hostPort + 1) break;
      j++;
    }
    const last = sorted[j]!;
    const range = (a: number, b: number) => (a === b ? `${a}` : `${a}-${b}`);
    out.push(`${first.hostIp}:${range(first.hostPort, last.hostPort)}->${range(first.containerPort, last.containerPort)}/${first.protocol}`);
    i = j + 1;
  }
  return out.join(", ");
}

export const portCommand: Command = {
  name: ["port"],
  aliases: [["container", "port"]],
  summary: "List a container's published ports",
  usage: "Usage: infra port CONTAINER [PRIVATE_PORT[/PROTO]]",
  async run(argv, io) {
    const f = parseFlags(argv, {}, "port");
    expectPositionals(f, 1, 2, "port");
    const [name, want] = f.positionals as [string, string | undefined];
    let filter: { port: number; protocol: string } | undefined;
    if (want !== undefined) {
      const m = /^(\d+)(?:\/(tcp|udp))?$/.exec(want);
      if (!m) throw new InfraError("INFRA_CLI_BAD_PORT", `"${want}" is not a port`, { hint: "write PORT or PORT/tcp or PORT/udp, e.g. 80/tcp" });
      filter = { port: Number(m[1]), protocol: m[2] ?? "tcp" };
    }
    const rec = await (await engineFor(io.env)).call<ContainerRecord>("GET", `/containers/${encodeURIComponent(name)}`);
    const lines = portLines(rec.network?.ports ?? [], filter);
    if (filter !== undefined && lines.length === 0)
      throw new InfraError("INFRA_CLI_PORT_NOT_PUBLISHED", `container ${rec.name} does not publish ${filter.port}/${filter.protocol}`, { hint: `\`infra port ${rec.name}\` lists what it publishes` });
    io.stdout.write(lines.map((l) => l + "\n").join(""));
    return 0;
  },
};
