/**
 * Loads a compose project: reads and interpolates each `-f` file, merges them, resolves
 * `extends`, applies profiles, fills in compose's defaults and checks references. Returns the
 * normalised model and every problem found (nothing is thrown for bad input).
 */
import { basename, dirname, resolve } from "node:path";
import { errorDiag, hasErrors, type Diagnostic, type SourceLocation } from "../diag/diagnostic.js";
import type { ComposeProject, ComposeService } from "./compose-model.js";
import { parseDotenv } from "./dotenv.js";
import { interpolate } from "./interpolate.js";
import { interpolateTree } from "./interpolate-tree.js";
import { mergeFileDrafts, mergeServiceDrafts } from "./merge-drafts.js";
import { parseYamlFile } from "./parse-yaml-file.js";
import { pickProjectName } from "./project-name.js";
import { formatBytes, MAX_COMPOSE_FILE_BYTES, readBoundedText } from "./read-bounded.js";
import { ReadContext, type LocationIndex } from "./read-context.js";
import { readComposeFile, type FileDraft } from "./read-compose-file.js";
import type { ServiceDraft } from "./read-service.js";
import { validateProject } from "./validate-project.js";

export interface LoadComposeOptions {
  files: string[];
  projectName?: string;
  env: Record<string, string | undefined>;
  profiles?: string[];
  cwd: string;
}

export interface LoadedCompose {
  project: ComposeProject;
  diagnostics: Diagnostic[];
  /** Where each key path was written (`services.web.ports[0]`), for callers that report later. */
  locations: LocationIndex;
}

async function readText(file: string, diagnostics: Diagnostic[], at?: SourceLocation): Promise<string | undefined> {
  try {
    const r = await readBoundedText(file);
    if (r.ok) return r.text;
    const tooLarge = r.why === "too-large";
    diagnostics.push(
      errorDiag(tooLarge ? "INFRA_COMPOSE_FILE_TOO_LARGE" : "INFRA_COMPOSE_FILE", tooLarge ? `${file} is larger than ${formatBytes(MAX_COMPOSE_FILE_BYTES)}${r.size !== undefined ? ` (${formatBytes(r.size)})` : ""}` : `cannot read ${file}: not a regular file`, {
        value: file,
        hint: tooLarge ? "A compose file (or env file) this large is not one infra reads: check that -f names the right file." : "Name a regular file (not a directory, a device or a pipe).",
        ...(at ? { location: at } : {}),
      }),
    );
    return undefined;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    diagnostics.push(
      errorDiag("INFRA_COMPOSE_FILE", `cannot read ${file}: ${code === "ENOENT" ? "no such file" : String((e as Error).message)}`, {
        value: file,
        hint: "Check the path (relative paths start from the compose file's directory).",
        ...(at ? { location: at } : {}),
      }),
    );
    return undefined;
  }
}

/** Shell variables win over `.env`; `.env` values may use the variables above them. */
async function projectEnv(dir: string, shell: Record<string, string | undefined>, diagnostics: Diagnostic[]): Promise<Record<string, string | undefined>> {
  const file = resolve(dir, ".env");
  let text: string;
  try {
    const r = await readBoundedText(file);
    if (!r.ok) {
      diagnostics.push(errorDiag(r.why === "too-large" ? "INFRA_COMPOSE_FILE_TOO_LARGE" : "INFRA_COMPOSE_ENV_FILE", `${file}: ${r.why === "too-large" ? `larger than ${formatBytes(MAX_COMPOSE_FILE_BYTES)}` : "not a regular file"}`, { value: file, hint: "The project's .env holds KEY=VALUE lines: remove or replace this one." }));
      return { ...shell };
    }
    text = r.text;
  } catch {
    // No .env: only the shell's variables.
    return { ...shell };
  }
  const parsed = parseDotenv(text);
  if (!parsed.ok) {
    diagnostics.push(errorDiag("INFRA_COMPOSE_ENV_FILE", `${file}: ${parsed.message}`, { location: { file, line: parsed.line, column: 1 } }));
    return { ...shell };
  }
  const env: Record<string, string | undefined> = { ...shell };
  for (const e of parsed.entries) {
    if (shell[e.key] !== undefined || e.value === undefined) continue;
    const r = interpolate(e.value, env);
    env[e.key] = r.ok ? r.value : e.value;
  }
  return env;
}

export async function loadComposeProject(opts: LoadComposeOptions): Promise<LoadedCompose> {
  const diagnostics: Diagnostic[] = [];
  const locations: LocationIndex = new Map();
  const files = opts.files.map((f) => resolve(opts.cwd, f));
  const projectDir = dirname(files[0] ?? resolve(opts.cwd, "compose.yaml"));
  const env = await projectEnv(projectDir, opts.env, diagnostics);

  const loadDraft = async (file: string, baseDir: string, at?: SourceLocation): Promise<FileDraft | undefined> => {
    const text = await readText(file, diagnostics, at);
    if (text === undefined) return undefined;
    const parsed = parseYamlFile(file, text);
    diagnostics.push(...parsed.diagnostics);
    if (parsed.diagnostics.length > 0) return undefined;
    interpolateTree(parsed.data, env, file, diagnostics);
    return readComposeFile(new ReadContext(file, baseDir, env, diagnostics, locations), parsed.data);
  };

  let merged: FileDraft = { services: {}, networks: {}, volumes: {}, secrets: {}, configs: {} };
  for (const file of files) {
    const d = await loadDraft(file, projectDir);
    if (d) merged = mergeFileDrafts(merged, d);
  }
  // Files named by `extends: file:` keep their own directory for relative paths.
  const others = new Map<string, Promise<FileDraft | undefined>>();
  const resolveExtends = async (name: string, draft: ServiceDraft, file: string | undefined, chain: string[]): Promise<ServiceDraft> => {
    const ext = draft.extends;
    if (!ext) return draft;
    const targetFile = ext.file ?? file;
    const key = `${targetFile ?? ""}#${ext.service}`;
    const at = locations.get(`services.${name}.extends`);
    if (chain.includes(key)) {
      diagnostics.push(errorDiag("INFRA_COMPOSE_CYCLE", `extends cycle: ${[...chain, key].map((k) => k.split("#")[1]).join(" -> ")}`, { ...(at ? { location: at } : {}) }));
      return draft;
    }
    let source: FileDraft | undefined = merged;
    if (targetFile !== undefined) {
      if (!others.has(targetFile)) others.set(targetFile, loadDraft(targetFile, dirname(targetFile), at));
      source = await others.get(targetFile);
    }
    const base = source?.services[ext.service];
    if (!base) {
      if (source) {
        diagnostics.push(errorDiag("INFRA_COMPOSE_UNKNOWN_SERVICE", `service "${name}" extends undefined service "${ext.service}"${targetFile ? ` in ${targetFile}` : ""}`, { value: ext.service, ...(at ? { location: at } : {}) }));
      }
      return draft;
    }
    const resolvedBase = await resolveExtends(ext.service, base, targetFile, [...chain, key]);
    const { extends: _drop, ...own } = draft;
    const { extends: _drop2, ...inherited } = resolvedBase;
    return mergeServiceDrafts(inherited, own);
  };
  for (const [name, draft] of Object.entries(merged.services)) {
    merged.services[name] = await resolveExtends(name, draft, undefined, [`#${name}`]);
  }

  const projectName = pickProjectName({ flag: opts.projectName, env: env.COMPOSE_PROJECT_NAME, fileName: merged.name, dirName: basename(projectDir) });
  if (projectName === "") {
    diagnostics.push(errorDiag("INFRA_COMPOSE_PROJECT_NAME", "the project name is empty after normalisation", { hint: "Give one with -p NAME (letters, digits, _ and -)." }));
  }
  const active = new Set(opts.profiles ?? (env.COMPOSE_PROFILES ?? "").split(",").map((s) => s.trim()).filter(Boolean));
  const enabled = (d: ServiceDraft): boolean => !d.profiles || d.profiles.length === 0 || active.has("*") || d.profiles.some((p) => active.has(p));

  const project: ComposeProject = { name: projectName, working_dir: projectDir, files, services: {}, networks: {}, volumes: {}, secrets: {}, configs: {} };
  const disabled = new Set<string>();
  for (const [name, draft] of Object.entries(merged.services)) {
    if (!enabled(draft)) {
      disabled.add(name);
      continue;
    }
    const svc = await finishService(name, draft, locations, diagnostics);
    if (svc) project.services[name] = svc;
  }
  for (const [name, s] of Object.entries(project.services)) {
    for (const dep of Object.keys(s.depends_on)) {
      if (disabled.has(dep)) {
        const loc = locations.get(`services.${name}.depends_on.${dep}`);
        diagnostics.push(errorDiag("INFRA_COMPOSE_PROFILE", `service "${name}" depends on "${dep}", which no active profile enables`, {
          value: dep,
          hint: `Enable one of its profiles (--profile ${merged.services[dep]?.profiles?.join(" or --profile ")}).`,
          ...(loc ? { location: loc } : {}),
        }));
        delete s.depends_on[dep];
      }
    }
  }
  const usesDefault = Object.values(project.services).some((s) => s.networks?.default !== undefined);
  for (const [key, n] of Object.entries(merged.networks)) {
    project.networks[key] = { ...n, name: n.name ?? (n.external ? key : `${projectName}_${key}`) };
  }
  if (usesDefault && !project.networks.default) project.networks.default = { name: `${projectName}_default` };
  for (const [key, v] of Object.entries(merged.volumes)) {
    project.volumes[key] = { ...v, name: v.name ?? (v.external ? key : `${projectName}_${key}`) };
  }
  for (const kind of ["secrets", "configs"] as const) {
    for (const [key, o] of Object.entries(merged[kind])) project[kind][key] = { ...o, name: o.name ?? `${projectName}_${key}` };
  }
  if (!hasErrors(diagnostics)) {
    diagnostics.push(...validateProject(project, (path) => lookup(locations, path)));
  }
  return { project, diagnostics, locations };
}

/** The location recorded for a path or, failing that, for the nearest enclosing key. */
export function lookup(locations: LocationIndex, path: string): SourceLocation | undefined {
  let p = path;
  for (;;) {
    const l = locations.get(p);
    if (l) return l;
    const cut = Math.max(p.lastIndexOf("."), p.lastIndexOf("["));
    if (cut <= 0) return undefined;
    p = p.slice(0, cut);
  }
}

async function finishService(name: string, d: ServiceDraft, locations: LocationIndex, diagnostics: Diagnostic[]): Promise<ComposeService | undefined> {
  const at = lookup(locations, `services.${name}`);
  const { extends: _e, environment, depends_on, ports, volumes, replicas, ...rest } = d;
  const s: ComposeService = {
    name,
    ...rest,
    environment: {},
    ports: ports ?? [],
    volumes: volumes ?? [],
    depends_on: depends_on ?? {},
    replicas: replicas ?? 1,
  };
  if (!s.image && !s.build) {
    diagnostics.push(errorDiag("INFRA_COMPOSE_SCHEMA", `services.${name}: has neither image nor build`, { attribute: `services.${name}`, hint: "Add image: NAME or build: DIR.", ...(at ? { location: at } : {}) }));
    return undefined;
  }
  if (s.container_name && s.replicas > 1) {
    diagnostics.push(errorDiag("INFRA_COMPOSE_SCHEMA", `services.${name}: container_name "${s.container_name}" cannot be used with ${s.replicas} replicas`, { ...(at ? { location: at } : {}), hint: "Names must be unique: drop container_name or scale to 1." }));
  }
  if (!s.network_mode && !s.networks) s.networks = { default: {} };
  if (s.network_mode && s.networks) {
    const loc = lookup(locations, `services.${name}.network_mode`);
    diagnostics.push(errorDiag("INFRA_COMPOSE_SCHEMA", `services.${name}: network_mode and networks cannot both be set`, { ...(loc ? { location: loc } : {}) }));
  }
  // env_file entries first, then environment over them, as compose orders them.
  for (const [i, file] of (s.env_file ?? []).entries()) {
    const loc = lookup(locations, `services.${name}.env_file`);
    const text = await readText(file, diagnostics, loc);
    if (text === undefined) continue;
    const parsed = parseDotenv(text);
    if (!parsed.ok) {
      diagnostics.push(errorDiag("INFRA_COMPOSE_ENV_FILE", `${file}: ${parsed.message}`, { location: { file, line: parsed.line, column: 1 }, attribute: `services.${name}.env_file[${i}]` }));
      continue;
    }
    for (const e of parsed.entries) if (e.value !== undefined) s.environment[e.key] = e.value;
  }
  Object.assign(s.environment, environment ?? {});
  return s;
}
