/**
 * The inputs synth cannot read itself: env files merged into env, and a content hash for each
 * image build context (so a changed file rebuilds the image).
 */
import { createHash } from "node:crypto";
import { promises as fs } from "node:fs";
import * as path from "node:path";
import { errorDiag, warningDiag, type Diagnostic } from "../../diag/diagnostic.js";
import type { StackGraph } from "../../graph/resource.js";
import { canonicalJson, type Value, type ValueObject } from "../../graph/value.js";
import type { HostInputs } from "../synth.js";
import { contextIgnoreRules, isIgnored, mayReinclude } from "../../graph/dockerignore.js";
import { parseEnvFile } from "./env-file.js";

function isObj(v: Value | undefined): v is ValueObject {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

async function mergeEnvFiles(graph: StackGraph, inputs: HostInputs, dir: string, out: Diagnostic[]): Promise<void> {
  for (const { address, files } of inputs.envFiles) {
    const node = graph.resources.find((r) => r.address === address);
    if (node === undefined) continue;
    const fromFiles: Record<string, string> = {};
    for (const f of files) {
      const file = path.resolve(dir, f);
      let text: string;
      try {
        text = await fs.readFile(file, "utf8");
      } catch (e) {
        out.push(errorDiag("INFRA_LOAD_ENV_FILE", `env file ${f} of ${address} cannot be read`, {
          address, attribute: "envFiles", value: f, detail: (e as Error).message, hint: `create ${file}, or remove it from envFiles`,
        }));
        continue;
      }
      const parsed = parseEnvFile(text);
      for (const n of parsed.badLines) {
        out.push(warningDiag("INFRA_LOAD_ENV_FILE_LINE", `${f}:${n} is not KEY=VALUE and was skipped`, { address, attribute: "envFiles", value: f, location: { file, line: n, column: 1 } }));
      }
      Object.assign(fromFiles, parsed.env);
    }
    // Values written in the stack win over those from files (as in compose).
    node.props.env = { ...fromFiles, ...(isObj(node.props.env) ? node.props.env : {}) };
  }
}

/** Hash of the files a build would send: paths, modes, contents, after `.dockerignore`. */
export async function hashBuildContext(context: string, dockerfile: string, extra: unknown): Promise<string> {
  const h = createHash("sha256");
  // No .dockerignore: everything counts (but infra's own state folder).
  const rules = contextIgnoreRules(await fs.readFile(path.join(context, ".dockerignore"), "utf8").catch(() => ""));
  const walk = async (rel: string): Promise<void> => {
    const entries = await fs.readdir(path.join(context, rel), { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      const r = rel === "" ? e.name : `${rel}/${e.name}`;
      const abs = path.join(context, r);
      if (isIgnored(rules, r)) {
        // An ignored directory is still walked when a `!` rule may bring something below it back.
        if (e.isDirectory() && mayReinclude(rules, r)) await walk(r);
        continue;
      }
      if (e.isDirectory()) {
        h.update(`d ${r}\n`);
        await walk(r);
      } else if (e.isSymbolicLink()) {
        h.update(`l ${r} ${await fs.readlink(abs)}\n`);
      } else if (e.isFile()) {
        const st = await fs.stat(abs);
        h.update(`f ${r} ${(st.mode & 0o111) !== 0 ? "x" : "-"} ${st.size}\n`);
        h.update(await fs.readFile(abs));
      }
    }
  };
  await walk("");
  // The Dockerfile counts even when .dockerignore excludes it.
  try {
    h.update("dockerfile\n");
    h.update(await fs.readFile(path.resolve(context, dockerfile)));
  } catch {
    h.update("no dockerfile\n");
  }
  h.update(canonicalJson(extra));
  return "sha256:" + h.digest("hex");
}

async function hashContexts(graph: StackGraph, out: Diagnostic[]): Promise<void> {
  for (const r of graph.resources) {
    if (r.type !== "image" || !isObj(r.props.build)) continue;
    const b = r.props.build;
    if (typeof b.context !== "string" || !path.isAbsolute(b.context)) continue;
    const dockerfile = typeof b.dockerfile === "string" ? b.dockerfile : "Dockerfile";
    try {
      const st = await fs.stat(b.context);
      if (!st.isDirectory()) throw new Error(`${b.context} is not a directory`);
      b.contextHash = await hashBuildContext(b.context, dockerfile, { args: b.args ?? null, target: b.target ?? null });
    } catch (e) {
      out.push(errorDiag("INFRA_LOAD_BUILD_CONTEXT", `build context ${b.context} of ${r.address} cannot be read`, {
        address: r.address, attribute: "build.context", value: b.context, detail: (e as Error).message,
        hint: "create the directory, or fix the path (relative paths start from the stack file's directory)",
      }));
    }
  }
}

/** Fills in what needs the file system; returns the problems found. */
export async function applyHostInputs(graph: StackGraph, inputs: HostInputs, stackDir: string): Promise<Diagnostic[]> {
  const out: Diagnostic[] = [];
  await mergeEnvFiles(graph, inputs, stackDir, out);
  await hashContexts(graph, out);
  return out;
}
