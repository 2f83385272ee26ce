import { randomBytes } from "node:crypto";

/** What a token stands for: an attribute of a resource, by address. */
export interface TokenTarget {
  address: string;
  attr: string;
}

const TOKEN_RE = /\$\{infra:([0-9a-f]+):(\d+)\}/g;

/**
 * Per-stack map from string tokens to references (CDK-style), so that a reference used inside
 * a template string can be found again at synth. Held by the root scope: no module globals,
 * and the random nonce tells one stack's tokens from another's.
 */
export class TokenRegistry {
  readonly nonce = randomBytes(4).toString("hex");
  private readonly targets: TokenTarget[] = [];
  private readonly byKey = new Map<string, string>();

  tokenFor(address: string, attr: string): string {
    const key = `${address}\u0000${attr}`;
    let tok = this.byKey.get(key);
    if (tok === undefined) {
      this.targets.push({ address, attr });
      tok = `\${infra:${this.nonce}:${this.targets.length - 1}}`;
      this.byKey.set(key, tok);
    }
    return tok;
  }

  lookup(nonce: string, index: number): TokenTarget | undefined {
    return nonce === this.nonce ? this.targets[index] : undefined;
  }
}

export type TokenPart = string | { nonce: string; index: number; text: string };

/** Splits a string into literal parts and tokens; `undefined` when it holds no token. */
export function splitTokens(s: string): TokenPart[] | undefined {
  if (!s.includes("${infra:")) return undefined;
  const parts: TokenPart[] = [];
  let last = 0;
  for (const m of s.matchAll(TOKEN_RE)) {
    const at = m.index ?? 0;
    if (at > last) parts.push(s.slice(last, at));
    parts.push({ nonce: m[1] ?? "", index: Number(m[2]), text: m[0] });
    last = at + m[0].length;
  }
  if (parts.length === 0) return undefined;
  if (last < s.length) parts.push(s.slice(last));
  return parts;
}
