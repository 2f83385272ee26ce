/**
 * Parses a `WWW-Authenticate` header (RFC 7235 auth-params) as registries send it:
 * `Bearer realm="https://auth/token",service="registry",scope="repository:a:pull"` or `Basic realm="x"`.
 */
export interface AuthChallenge {
  /** Lower case: `basic` or `bearer`. */
  scheme: string;
  params: Record<string, string>;
}

/** One header may carry several challenges; each starts with a scheme token. Pure. */
export function parseWwwAuthenticate(header: string): AuthChallenge[] {
  const out: AuthChallenge[] = [];
  let i = 0;
  const s = header;
  const skipWs = () => {
    while (i < s.length && /[\s,]/.test(s[i]!)) i++;
  };
  const token = (): string => {
    const start = i;
    while (i < s.length && /[^\s,=]/.test(s[i]!)) i++;
    return s.slice(start, i);
  };
  let current: AuthChallenge | undefined;
  while (i < s.length) {
    skipWs();
    if (i >= s.length) break;
    const word = token();
    if (word === "") {
      i++;
      continue;
    }
    let j = i;
    while (j < s.length && s[j] === " ") j++;
    if (s[j] === "=" && current !== undefined) {
      i = j + 1;
      while (i < s.length && s[i] === " ") i++;
      let value: string;
      if (s[i] === '"') {
        i++;
        let v = "";
        while (i < s.length && s[i] !== '"') {
          if (s[i] === "\\" && i + 1 < s.length) i++;
          v += s[i];
          i++;
        }
        i++;
        value = v;
      } else {
        value = token();
      }
      current.params[word.toLowerCase()] = value;
      continue;
    }
    if (s[j] === "=" && current === undefined) {
      // A parameter with no scheme before it: malformed; skip it.
      i = j + 1;
      token();
      continue;
    }
    current = { scheme: word.toLowerCase(), params: {} };
    out.push(current);
  }
  return out;
}
