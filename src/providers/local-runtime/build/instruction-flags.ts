import { DockerfileErrorCode, type DockerfileProblem } from "./dockerfile-errors.js";

type FlagKind = "string" | "strings" | "bool";

/** The flags each instruction takes (Docker's Dockerfile frontend, stable channel). */
export const INSTRUCTION_FLAGS: Readonly<Record<string, Readonly<Record<string, FlagKind>>>> = {
  FROM: { platform: "string" },
  RUN: { mount: "strings", network: "string", security: "string" },
  COPY: { from: "string", chown: "string", chmod: "string", link: "bool", parents: "bool", exclude: "strings" },
  ADD: {
    chown: "string",
    chmod: "string",
    link: "bool",
    "keep-git-dir": "bool",
    checksum: "string",
    exclude: "strings",
    unpack: "bool",
  },
  HEALTHCHECK: {
    interval: "string",
    timeout: "string",
    "start-period": "string",
    "start-interval": "string",
    retries: "string",
  },
};

/** Values given to flags: last value for single flags, all values for repeatable ones. */
export type FlagValues = Record<string, string[]>;

/** Reads `--name=value` flags against what `instruction` accepts; returns the first problem. */
export function readFlags(
  instruction: string,
  flags: readonly string[],
  line: number,
): { values: FlagValues; problem?: DockerfileProblem } {
  const allowed = INSTRUCTION_FLAGS[instruction] ?? {};
  const values: FlagValues = {};
  const bad = (code: string, message: string, value: string, hint: string) => ({
    values,
    problem: { code, message, line, value, hint },
  });
  for (const flag of flags) {
    if (flag === "--") break;
    if (!flag.startsWith("--")) {
      return bad(DockerfileErrorCode.badFlag, `arg should start with -- : ${flag}`, flag, "write flags as --name=value");
    }
    const eq = flag.indexOf("=");
    const name = flag.slice(2, eq < 0 ? undefined : eq);
    const value = eq < 0 ? undefined : flag.slice(eq + 1);
    const kind = allowed[name];
    if (kind === undefined) {
      const known = Object.keys(allowed).map((n) => `--${n}`);
      const near = closest(name, Object.keys(allowed));
      return bad(
        DockerfileErrorCode.unknownFlag,
        `unknown flag: ${name}${near ? ` (did you mean ${near}?)` : ""}`,
        flag,
        known.length > 0 ? `${instruction} takes ${known.join(", ")}` : `${instruction} takes no flags`,
      );
    }
    if (values[name] !== undefined && kind !== "strings") {
      return bad(DockerfileErrorCode.badFlag, `duplicate flag specified: ${name}`, flag, `give --${name} once`);
    }
    if (kind === "bool") {
      if (value === "") return bad(DockerfileErrorCode.badFlag, `missing a value on flag: ${name}`, flag, `write --${name} or --${name}=true`);
      const lower = (value ?? "true").toLowerCase();
      if (lower !== "true" && lower !== "false") {
        return bad(
          DockerfileErrorCode.badFlag,
          `expecting boolean value for flag ${name}, not: ${value}`,
          flag,
          `write --${name}=true or --${name}=false`,
        );
      }
      values[name] = [lower];
      continue;
    }
    if (value === undefined) {
      return bad(DockerfileErrorCode.badFlag, `missing a value on flag: ${name}`, flag, `write --${name}=VALUE`);
    }
    values[name] = [...(values[name] ?? []), value];
  }
  return { values };
}

/** The nearest name by edit distance, when it is close enough to be a plausible typo. */
export function closest(word: string, names: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDist = Infinity;
  for (const n of names) {
    const d = editDistance(word.toLowerCase(), n.toLowerCase());
    if (d < bestDist) {
      bestDist = d;
      best = n;
    }
  }
  return best !== undefined && bestDist <= Math.max(1, Math.floor(word.length / 3)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      cur[j] = Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost);
    }
    prev = cur;
  }
  return prev[b.length] ?? 0;
}
