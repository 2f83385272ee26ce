/**
 * Which packets the embedded DNS server answers: one-question standard queries, nothing else.
 * A response (QR set) is never answered nor forwarded: answering it lets two resolvers, or a
 * spoofed source, bounce packets between them forever. Pure.
 */
import dnsPacket, { type Packet } from "dns-packet";

/** A query is a header and one question: far below this. Bigger packets are not read at all. */
export const MAX_QUERY_BYTES = 4096;
const HEADER_BYTES = 12;

export type DropReason = "short" | "oversized" | "response" | "opcode" | "malformed";

export type Screened = { query: Packet } | { drop: DropReason };

export function screenQuery(msg: Buffer): Screened {
  if (msg.length < HEADER_BYTES) return { drop: "short" };
  if (msg.length > MAX_QUERY_BYTES) return { drop: "oversized" };
  const flags = msg[2]!;
  if ((flags & 0x80) !== 0) return { drop: "response" };
  if (((flags >> 3) & 0x0f) !== 0) return { drop: "opcode" }; // IQUERY, STATUS, NOTIFY, UPDATE: not ours
  if (msg.readUInt16BE(4) !== 1) return { drop: "malformed" };
  let query: Packet;
  try {
    query = dnsPacket.decode(msg);
  } catch {
    return { drop: "malformed" };
  }
  const q = query.questions?.[0];
  if (q === undefined || typeof q.name !== "string") return { drop: "malformed" };
  return { query };
}
