/** Whether a host port is free for us: another process may listen on it (we publish by DNAT, never by binding). */
import dgram from "node:dgram";
import net from "node:net";
import { ProviderError } from "../../contract.js";
import type { PublishedPort } from "./network-types.js";

export type ProbeResult = "free" | "in-use" | "no-such-address";

export function probePort(protocol: "tcp" | "udp", hostIp: string, port: number): Promise<ProbeResult> {
  const classify = (e: NodeJS.ErrnoException): ProbeResult => (e.code === "EADDRNOTAVAIL" ? "no-such-address" : "in-use");
  if (protocol === "udp") {
    return new Promise((resolve) => {
      const s = dgram.createSocket("udp4");
      s.once("error", (e) => {
        s.close();
        resolve(classify(e));
      });
      s.bind(port, hostIp, () => s.close(() => resolve("free")));
    });
  }
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once("error", (e) => resolve(classify(e)));
    srv.listen({ port, host: hostIp, exclusive: true }, () => srv.close(() => resolve("free")));
  });
}

/**
 * Checks fixed ports against the host's sockets (64 at a time) and fills in random ones from
 * the ephemeral range, skipping `avoid` (keys "proto/port").
 */
export async function resolveHostPorts(ports: PublishedPort[], avoid: Set<string>): Promise<PublishedPort[]> {
  const out = ports.map((p) => ({ ...p }));
  const fixed = out.filter((p) => p.hostPort !== 0);
  for (let i = 0; i < fixed.length; i += 64) {
    const chunk = fixed.slice(i, i + 64);
    const res = await Promise.all(chunk.map((p) => probePort(p.protocol, p.hostIp, p.hostPort)));
    res.forEach((r, j) => {
      const p = chunk[j] as PublishedPort;
      if (r === "no-such-address") {
        throw new ProviderError("Invalid", "INFRA_NET_HOST_IP", `host address ${p.hostIp} is not an address of this host`, {
          hint: "list the host's addresses with `ip -br addr`",
        });
      }
      if (r === "in-use") {
        throw new ProviderError("Conflict", "INFRA_NET_PORT_IN_USE", `host port ${p.hostIp}:${p.hostPort}/${p.protocol} is in use by another program`, {
          hint: "stop that program (see `ss -lntup`) or publish on another port",
        });
      }
    });
  }
  for (const p of out.filter((q) => q.hostPort === 0)) {
    for (let tries = 0; ; tries++) {
      const cand = 40000 + Math.floor(Math.random() * 20000);
      if (avoid.has(`${p.protocol}/${cand}`)) continue;
      const r = await probePort(p.protocol, p.hostIp, cand);
      if (r === "no-such-address") {
        throw new ProviderError("Invalid", "INFRA_NET_HOST_IP", `host address ${p.hostIp} is not an address of this host`, {
          hint: "list the host's addresses with `ip -br addr`",
        });
      }
      if (r === "free") {
        p.hostPort = cand;
        avoid.add(`${p.protocol}/${cand}`);
        break;
      }
      if (tries > 200) throw new ProviderError("Unavailable", "INFRA_NET_NO_FREE_PORT", "no free host port found in 40000-59999", { hint: "free some ports" });
    }
  }
  return out;
}
