/** Parses `KEY=VALUE` env files as compose does: comments, blank lines, `export`, quotes. */
export interface EnvFileResult {
  env: Record<string, string>;
  /** Line numbers (1-based) that were not KEY=VALUE. */
  badLines: number[];
}

export function parseEnvFile(text: string): EnvFileResult {
  const env: Record<string, string> = {};
  const badLines: number[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) return;
    const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=\s*(.*)$/.exec(line);
    if (m === null) {
      badLines.push(i + 1);
      return;
    }
    let v = m[2] ?? "";
    if (v.length >= 2 && v.startsWith('"') && v.endsWith('"')) {
      v = v.slice(1, -1).replace(/\\n/g, "\n").replace(/\\"/g, '"').replace(/\\\\/g, "\\");
    } else if (v.length >= 2 && v.startsWith("'") && v.endsWith("'")) {
      v = v.slice(1, -1);
    } else {
      v = v.replace(/\s+#.*$/, "");
    }
    env[m[1] as string] = v;
  });
  return { env, badLines };
}
