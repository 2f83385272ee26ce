/**
 * The engine's one running infra-host (native/infra-host.c): namespaces, veths and macvlans over
 * rtnetlink, and containers' overlay mounts, with a pipe round trip per operation instead of an
 * `ip`, `mount` or `umount` process each. One per engine, shared by the network and container
 * managers. Started on first use, restarted if it dies; it exits when the engine does (end of
 * its stdin).
 */
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import type { Socket } from "node:net";
import { ProviderError } from "../../contract.js";
import { type HelperOp, encodeRequest, parseReply, replyError } from "./host-helper-protocol.js";
import { findNativeBinary } from "./native-binary.js";

/**
 * The built helper, or undefined (then the engine runs `ip`, `mount` and `umount`).
 * INFRA_HOST_HELPER (formerly INFRA_NET_HELPER, still read) names another binary, or "off" to
 * run the programs (to compare both paths).
 */
export function findHostHelper(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const chosen = env["INFRA_HOST_HELPER"] ?? env["INFRA_NET_HELPER"];
  if (chosen === "off") return undefined;
  if (chosen !== undefined && chosen !== "") return chosen;
  return findNativeBinary("infra-host");
}

interface Pending {
  op: HelperOp;
  resolve(words: string[]): void;
  reject(e: unknown): void;
}

/** One running helper: its process and the requests it has not answered yet, in order. */
interface Session {
  child: ChildProcessWithoutNullStreams;
  pending: Pending[];
  buffered: string;
  stderrTail: string;
}

export class HostHelper {
  private session: Session | undefined;

  constructor(readonly binary: string) {}

  /** The helper when it is built (see findHostHelper), else undefined. */
  static find(env: NodeJS.ProcessEnv = process.env): HostHelper | undefined {
    const binary = findHostHelper(env);
    return binary === undefined ? undefined : new HostHelper(binary);
  }

  /**
   * The helper for work with no other way to do it (unpacking a layer's whiteouts, fifos and
   * directory attributes): INFRA_HOST_HELPER's binary, or the built one even when it says "off"
   * (that switch compares the network and mount paths, which have programs to fall back on).
   */
  static required(env: NodeJS.ProcessEnv = process.env): HostHelper {
    const chosen = env["INFRA_HOST_HELPER"] ?? env["INFRA_NET_HELPER"];
    const binary = chosen !== undefined && chosen !== "" && chosen !== "off" ? chosen : findNativeBinary("infra-host");
    if (binary === undefined)
      throw new ProviderError("Unavailable", "INFRA_HOST_HELPER_MISSING", "the engine's native helper infra-host is not built (dist/native/infra-host); image layers cannot be unpacked without it", { hint: "run `npm run build` (it needs a C compiler), or set INFRA_HOST_HELPER to the binary's path" });
    return new HostHelper(binary);
  }

  /** Starts the process now (engine start), so the first container does not wait for it. */
  warmUp(): void {
    this.ensure();
  }

  /** Sends one operation; resolves with the words after `ok`, rejects with a ProviderError naming the step. */
  request(op: HelperOp, args: Record<string, string | number | undefined> = {}): Promise<string[]> {
    const line = encodeRequest(op, args);
    return new Promise((resolve, reject) => {
      const s = this.ensure();
      s.pending.push({ op, resolve, reject });
      // Only while an answer is awaited does the helper keep Node's event loop alive.
      (s.child.stdout as Socket).ref();
      s.child.stdin.write(line);
    });
  }

  /** Waits until the links the helper deletes meanwhile are gone; nothing to wait for when it is not running. */
  async settle(): Promise<void> {
    if (this.session !== undefined) await this.request("settle");
  }

  /** Ends the helper (it finishes the deletions it started); its unanswered requests fail. */
  close(): void {
    const s = this.session;
    this.session = undefined;
    s?.child.stdin.end();
  }

  private ensure(): Session {
    if (this.session !== undefined) return this.session;
    const child = spawn(this.binary, ["serve"], { stdio: ["pipe", "pipe", "pipe"] });
    const s: Session = { child, pending: [], buffered: "", stderrTail: "" };
    this.session = s;
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (chunk: string) => this.onData(s, chunk));
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (chunk: string) => (s.stderrTail = (s.stderrTail + chunk).slice(-2000)));
    child.stdin.on("error", () => undefined); // a dead helper shows in 'exit'
    child.on("error", (e) => this.gone(s, `cannot run ${this.binary}: ${e.message}`));
    child.on("exit", (code, signal) => this.gone(s, `${this.binary} exited (${signal ?? `code ${code}`})${s.stderrTail ? `: ${s.stderrTail.trim()}` : ""}`));
    child.unref();
    for (const pipe of [child.stdout, child.stderr, child.stdin]) (pipe as unknown as Socket).unref();
    return s;
  }

  private onData(s: Session, chunk: string): void {
    s.buffered += chunk;
    for (let nl = s.buffered.indexOf("\n"); nl >= 0; nl = s.buffered.indexOf("\n")) {
      const line = s.buffered.slice(0, nl);
      s.buffered = s.buffered.slice(nl + 1);
      const p = s.pending.shift();
      if (p === undefined) continue;
      const reply = parseReply(line);
      if (reply.ok) p.resolve(reply.words);
      else p.reject(replyError(reply, p.op));
    }
    if (s.pending.length === 0) (s.child.stdout as Socket).unref();
  }

  /** The helper died: what it was asked fails; the next request starts a new one. */
  private gone(s: Session, why: string): void {
    if (this.session === s) this.session = undefined;
    for (const p of s.pending.splice(0))
      p.reject(new ProviderError("Internal", "INFRA_HOST_HELPER_GONE", why, { hint: "the next operation starts the helper again; see the message for its cause" }));
  }
}
