/**
 * The embedded DNS server: UDP and TCP listeners on each user network's gateway address, each
 * query answered from the asking container's view (dns-view.ts), other names forwarded to the
 * host's resolvers. It runs in the engine, in the host's namespace, so loopback resolvers
 * (127.0.0.53) are reachable as they are.
 */
import dgram from "node:dgram";
import net from "node:net";
import { readFile } from "node:fs/promises";
import dnsPacket, { type Packet } from "dns-packet";
import { ProviderError } from "../../contract.js";
import { answerLocally } from "./dns-zone.js";
import { type DropReason, MAX_QUERY_BYTES, screenQuery } from "./dns-screen.js";
import { type DnsViews, NO_VIEWS, viewFor } from "./dns-view.js";

const SERVFAIL = 2;
/**
 * The kernel's receive queue per UDP listener (capped by net.core.rmem_max). The default
 * (~208 KB, ~200 small datagrams) overflowed under a burst of 2,000 junk packets and a query
 * that came right after was lost; 4 MB holds thousands while the engine catches up.
 */
const RECV_BUFFER_BYTES = 4 << 20;
/** Forwards in flight at once: each holds a socket for up to the timeout (Docker allows 1024). */
const MAX_FORWARDS = 256;

/** What the server did with the packets it received; read by tests and for diagnosis. */
export interface DnsStats {
  answered: number;
  forwarded: number;
  dropped: Record<DropReason, number>;
  /** Queries whose answer threw (answered SERVFAIL when possible). */
  failed: number;
  /** Queries answered SERVFAIL at once because MAX_FORWARDS were in flight. */
  busy: number;
}

interface Listener {
  networkId: string;
  ip: string;
  udp: dgram.Socket;
  tcp: net.Server;
}

export interface DnsServerOptions {
  /** Upstream resolvers as "ip" or "ip:port". Default: the nameservers of /etc/resolv.conf. */
  upstreams?: string[];
  /** Port to listen on; 53 unless a test says otherwise. */
  port?: number;
  forwardTimeoutMs?: number;
}

/** Nameserver addresses from a resolv.conf text. */
export function parseResolvConf(text: string): string[] {
  return text
    .split("\n")
    .map((l) => l.trim().split(/\s+/))
    .filter((w) => w[0] === "nameserver" && w[1] !== undefined)
    .map((w) => w[1] as string);
}

export class DnsServer {
  private readonly listeners = new Map<string, Listener>();
  /** Who sees what; replaced as a whole when endpoints change, read by every query. */
  private views: DnsViews = NO_VIEWS;
  private upstreams: Array<{ host: string; port: number }> = [];
  private readonly port: number;
  private readonly timeoutMs: number;
  private forwarding = 0;
  readonly stats: DnsStats = { answered: 0, forwarded: 0, dropped: { short: 0, oversized: 0, response: 0, opcode: 0, malformed: 0 }, failed: 0, busy: 0 };

  constructor(private readonly opts: DnsServerOptions = {}) {
    this.port = opts.port ?? 53;
    this.timeoutMs = opts.forwardTimeoutMs ?? 4000;
  }

  async loadUpstreams(): Promise<void> {
    const list = this.opts.upstreams ?? parseResolvConf(await readFile("/etc/resolv.conf", "utf8").catch(() => ""));
    this.upstreams = list.slice(0, 3).map((u) => {
      const [host, port] = u.includes(":") && !u.includes("::") ? u.split(":") : [u, "53"];
      return { host: host ?? u, port: Number(port ?? 53) };
    });
  }

  /** Starts (or keeps) the listener of a network on its gateway address. */
  async listen(networkId: string, ip: string): Promise<void> {
    const existing = this.listeners.get(networkId);
    if (existing !== undefined && existing.ip === ip) return;
    if (existing !== undefined) await this.unlisten(networkId);
    const l: Listener = {
      networkId,
      ip,
      udp: dgram.createSocket({ type: "udp4", reuseAddr: true }),
      tcp: net.createServer(),
    };
    l.udp.on("message", (msg, rinfo) => {
      const reply = (out: Buffer | undefined) => {
        if (out !== undefined) l.udp.send(out, rinfo.port, rinfo.address);
      };
      // Container names are answered synchronously, in the same tick: that is the latency that matters.
      const local = this.answer(l, msg, rinfo.address);
      if (!isForward(local)) reply(local);
      else void this.forwardOrFail(msg, local.forward, "udp").then(reply);
    });
    l.udp.on("error", () => undefined);
    l.tcp.on("connection", (sock) => this.serveTcp(l, sock));
    l.tcp.on("error", () => undefined);
    try {
      await new Promise<void>((resolve, reject) => {
        l.udp.once("error", reject);
        l.udp.bind(this.port, ip, () => resolve());
      });
      l.udp.setRecvBufferSize(RECV_BUFFER_BYTES);
      await new Promise<void>((resolve, reject) => {
        l.tcp.once("error", reject);
        l.tcp.listen(this.port, ip, () => resolve());
      });
    } catch (e) {
      l.udp.close();
      l.tcp.close();
      throw new ProviderError("Conflict", "INFRA_NET_DNS_LISTEN", `cannot serve DNS on ${ip}:${this.port}: ${(e as Error).message}`, {
        hint: "another DNS server holds port 53 on every address; make it listen on specific addresses only",
        cause: e,
      });
    }
    this.listeners.set(networkId, l);
  }

  /** Replaces every view at once (computed by buildDnsViews when endpoints change). */
  setViews(views: DnsViews): void {
    this.views = views;
  }

  async unlisten(networkId: string): Promise<void> {
    const l = this.listeners.get(networkId);
    if (l === undefined) return;
    this.listeners.delete(networkId);
    await new Promise<void>((r) => l.udp.close(() => r()));
    await new Promise<void>((r) => l.tcp.close(() => r()));
  }

  async close(): Promise<void> {
    for (const id of [...this.listeners.keys()]) await this.unlisten(id);
  }

  /**
   * The local answer; undefined when the packet is dropped (not a query: responses, junk, a
   * query that cannot be answered), or the decoded query to forward. Never throws: one bad
   * packet must not cost the next one its answer.
   */
  private answer(l: Listener, msg: Buffer, source: string): Buffer | undefined | { forward: Packet } {
    const screened = screenQuery(msg);
    if ("drop" in screened) {
      this.stats.dropped[screened.drop]++;
      return undefined;
    }
    const query = screened.query;
    try {
      const local = answerLocally(viewFor(this.views, l.networkId, source), this.views.all, query);
      if (local === undefined) return { forward: query };
      const out = dnsPacket.encode(local);
      this.stats.answered++;
      return out;
    } catch {
      this.stats.failed++;
      return servfail(query);
    }
  }

  private async forwardOrFail(msg: Buffer, query: Packet, proto: "udp" | "tcp"): Promise<Buffer | undefined> {
    if (this.forwarding >= MAX_FORWARDS) {
      this.stats.busy++;
      return servfail(query);
    }
    this.forwarding++;
    try {
      const forwarded = await this.forward(msg, proto);
      if (forwarded !== undefined) this.stats.forwarded++;
      return forwarded ?? servfail(query);
    } finally {
      this.forwarding--;
    }
  }

  private async handle(l: Listener, msg: Buffer, source: string, proto: "udp" | "tcp"): Promise<Buffer | undefined> {
    const local = this.answer(l, msg, source);
    return isForward(local) ? this.forwardOrFail(msg, local.forward, proto) : local;
  }

  private async forward(msg: Buffer, proto: "udp" | "tcp"): Promise<Buffer | undefined> {
    for (const u of this.upstreams) {
      const out = await (proto === "udp" ? this.forwardUdp(msg, u) : this.forwardTcp(msg, u)).catch(() => undefined);
      if (out !== undefined) return out;
    }
    return undefined;
  }

  private forwardUdp(msg: Buffer, u: { host: string; port: number }): Promise<Buffer | undefined> {
    return new Promise((resolve) => {
      const s = dgram.createSocket(u.host.includes(":") ? "udp6" : "udp4");
      const done = (v: Buffer | undefined) => {
        clearTimeout(timer);
        s.close();
        resolve(v);
      };
      const timer = setTimeout(() => done(undefined), this.timeoutMs);
      s.on("error", () => done(undefined));
      s.on("message", (m) => done(m));
      s.send(msg, u.port, u.host);
    });
  }

  private forwardTcp(msg: Buffer, u: { host: string; port: number }): Promise<Buffer | undefined> {
    return new Promise((resolve) => {
      const sock = net.connect(u.port, u.host);
      let buf = Buffer.alloc(0);
      const done = (v: Buffer | undefined) => {
        clearTimeout(timer);
        sock.destroy();
        resolve(v);
      };
      const timer = setTimeout(() => done(undefined), this.timeoutMs);
      sock.on("error", () => done(undefined));
      sock.on("data", (d: Buffer) => {
        buf = Buffer.concat([buf, d]);
        if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) done(buf.subarray(2, 2 + buf.readUInt16BE(0)));
      });
      sock.on("connect", () => sock.write(frame(msg)));
    });
  }

  private serveTcp(l: Listener, sock: net.Socket): void {
    let buf = Buffer.alloc(0);
    const source = (sock.remoteAddress ?? "").replace(/^::ffff:/, "");
    sock.on("error", () => undefined);
    sock.setTimeout(10_000, () => sock.destroy());
    sock.on("data", (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      while (buf.length >= 2) {
        const len = buf.readUInt16BE(0);
        // A frame longer than any query: not a DNS client; close rather than buffer it.
        if (len > MAX_QUERY_BYTES) {
          this.stats.dropped.oversized++;
          sock.destroy();
          return;
        }
        if (buf.length < 2 + len) break;
        const msg = buf.subarray(2, 2 + len);
        buf = buf.subarray(2 + len);
        void this.handle(l, msg, source, "tcp").then((out) => {
          if (out !== undefined && !sock.destroyed) sock.write(frame(out));
        });
      }
    });
  }
}

function isForward(a: Buffer | undefined | { forward: Packet }): a is { forward: Packet } {
  return a !== undefined && !Buffer.isBuffer(a);
}

/** SERVFAIL for a query; undefined when even that cannot be encoded (the packet is dropped). */
function servfail(query: Packet): Buffer | undefined {
  try {
    return dnsPacket.encode({ type: "response", id: query.id ?? 0, flags: (1 << 7) | SERVFAIL, questions: query.questions ?? [], answers: [] });
  } catch {
    return undefined;
  }
}

function frame(msg: Buffer): Buffer {
  const len = Buffer.alloc(2);
  len.writeUInt16BE(msg.length);
  return Buffer.concat([len, msg]);
}
