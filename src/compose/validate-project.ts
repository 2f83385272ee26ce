/**
 * Checks that need the whole merged project: references between services (depends_on, links,
 * network_mode, volumes_from), to networks, volumes, secrets and configs, and dependency cycles.
 * Every problem points at the line that names the missing thing.
 */
import { errorDiag, type Diagnostic, type SourceLocation } from "../diag/diagnostic.js";
import type { ComposeProject } from "./compose-model.js";

export function validateProject(p: ComposeProject, where: (path: string) => SourceLocation | undefined): Diagnostic[] {
  const out: Diagnostic[] = [];
  const bad = (code: string, path: string, summary: string, value: unknown, hint: string): void => {
    const loc = where(path);
    out.push(errorDiag(code, summary, { attribute: path, value, hint, ...(loc ? { location: loc } : {}) }));
  };
  const services = new Set(Object.keys(p.services));
  const known = `Known services: ${[...services].sort().join(", ") || "(none)"}.`;
  for (const [name, s] of Object.entries(p.services)) {
    const at = `services.${name}`;
    for (const [dep, d] of Object.entries(s.depends_on)) {
      if (!services.has(dep) && d.required !== false) bad("INFRA_COMPOSE_UNKNOWN_SERVICE", `${at}.depends_on.${dep}`, `service "${name}" depends on undefined service "${dep}"`, dep, known);
    }
    (s.links ?? []).forEach((l, i) => {
      if (!services.has(l.service)) bad("INFRA_COMPOSE_UNKNOWN_SERVICE", `${at}.links`, `service "${name}" links to undefined service "${l.service}"`, s.links?.[i], known);
    });
    const mode = s.network_mode;
    if (mode?.startsWith("service:") && !services.has(mode.slice(8))) {
      bad("INFRA_COMPOSE_UNKNOWN_SERVICE", `${at}.network_mode`, `service "${name}" uses the network of undefined service "${mode.slice(8)}"`, mode, known);
    }
    (s.volumes_from ?? []).forEach((v, i) => {
      if (v.service !== undefined && !services.has(v.service)) bad("INFRA_COMPOSE_UNKNOWN_SERVICE", `${at}.volumes_from[${i}]`, `service "${name}" takes volumes from undefined service "${v.service}"`, v.service, known + ' For a container outside the project write "container:NAME".');
    });
    for (const n of Object.keys(s.networks ?? {})) {
      if (!p.networks[n]) bad("INFRA_COMPOSE_UNKNOWN_NETWORK", `${at}.networks.${n}`, `service "${name}" refers to undefined network "${n}"`, n, "Declare it under the top-level networks key.");
    }
    s.volumes.forEach((v, i) => {
      if (v.type === "volume" && v.source !== undefined && !p.volumes[v.source]) {
        bad("INFRA_COMPOSE_UNKNOWN_VOLUME", `${at}.volumes[${i}]`, `service "${name}" refers to undefined volume "${v.source}"`, v.source, "Declare it under the top-level volumes key, or write a path (./dir) for a bind mount.");
      }
    });
    for (const kind of ["secrets", "configs"] as const) {
      (s[kind] ?? []).forEach((r, i) => {
        if (!p[kind][r.source]) bad("INFRA_COMPOSE_UNKNOWN_" + kind.slice(0, -1).toUpperCase(), `${at}.${kind}[${i}]`, `service "${name}" refers to undefined ${kind.slice(0, -1)} "${r.source}"`, r.source, `Declare it under the top-level ${kind} key.`);
      });
    }
  }
  for (const cycle of findCycles(p)) {
    const first = cycle[0] ?? "";
    bad("INFRA_COMPOSE_CYCLE", `services.${first}`, `dependency cycle between services: ${[...cycle, first].join(" -> ")}`, cycle, "Remove one of these depends_on, links, volumes_from or network_mode entries.");
  }
  return out;
}

/** The services each one must start after: depends_on, links, volumes_from and network_mode service:x. */
export function serviceDependencies(p: ComposeProject, name: string): string[] {
  const s = p.services[name];
  if (!s) return [];
  const deps = new Set(Object.keys(s.depends_on));
  for (const l of s.links ?? []) deps.add(l.service);
  for (const v of s.volumes_from ?? []) if (v.service) deps.add(v.service);
  if (s.network_mode?.startsWith("service:")) deps.add(s.network_mode.slice(8));
  return [...deps].filter((d) => p.services[d]).sort();
}

function findCycles(p: ComposeProject): string[][] {
  const state = new Map<string, "visiting" | "done">();
  const cycles: string[][] = [];
  const stack: string[] = [];
  const visit = (n: string): void => {
    state.set(n, "visiting");
    stack.push(n);
    for (const d of serviceDependencies(p, n)) {
      const st = state.get(d);
      if (st === "visiting") cycles.push(stack.slice(stack.indexOf(d)));
      else if (st === undefined) visit(d);
    }
    stack.pop();
    state.set(n, "done");
  };
  for (const n of Object.keys(p.services).sort()) if (!state.has(n)) visit(n);
  return cycles;
}
