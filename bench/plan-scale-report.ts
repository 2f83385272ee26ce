/**
 * Pure summaries of the plan-speed benchmark: medians per phase, linearity between sizes, the
 * targets of issue 2, and the markdown tables that docs/benchmarks.md records.
 */
import type { ChildResult } from "./plan-scale-child.js";

export type Cache = "cold" | "warm";
export type Scenario = "empty" | "applied";

export interface Sample {
  size: number;
  cache: Cache;
  scenario: Scenario;
  /** Wall time of the child process as the parent saw it (spawn to exit). */
  wallMs: number;
  child: ChildResult;
}

export interface CliSample {
  size: number;
  cache: Cache;
  scenario: Scenario;
  wallMs: number;
}

export const PHASES = ["bootMs", "importMs", "typecheckMs", "transpileMs", "runMs", "synthMs", "validateMs", "stateMs", "diffMs", "renderMs", "totalMs"] as const;
export type Phase = (typeof PHASES)[number];

export interface Row {
  size: number;
  cache: Cache;
  scenario: Scenario;
  runs: number;
  phases: Record<Phase, number>;
  wallMs: number;
  /** CPU ms: loadStack, makePlan, render, the whole process, and the whole process after its imports. */
  cpu: { load: number; plan: number; render: number; total: number; work: number };
  maxRssMB: number;
  cliWallMs?: number;
}

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** One row per (size, cache, scenario): the median of each column over the runs. */
export function summarise(samples: readonly Sample[], cli: readonly CliSample[] = []): Row[] {
  const keys = new Map<string, Sample[]>();
  for (const s of samples) {
    const k = `${s.size}/${s.scenario}/${s.cache}`;
    keys.set(k, [...(keys.get(k) ?? []), s]);
  }
  const rows: Row[] = [];
  for (const group of keys.values()) {
    const first = group[0]!;
    const phases = Object.fromEntries(PHASES.map((p) => [p, median(group.map((s) => s.child[p]))])) as Record<Phase, number>;
    const cliRuns = cli.filter((c) => c.size === first.size && c.cache === first.cache && c.scenario === first.scenario);
    rows.push({
      size: first.size,
      cache: first.cache,
      scenario: first.scenario,
      runs: group.length,
      phases,
      wallMs: median(group.map((s) => s.wallMs)),
      cpu: {
        load: median(group.map((s) => s.child.cpu.loadMs)),
        plan: median(group.map((s) => s.child.cpu.planMs)),
        render: median(group.map((s) => s.child.cpu.renderMs)),
        total: median(group.map((s) => s.child.cpu.totalMs)),
        work: median(group.map((s) => s.child.cpu.totalMs - s.child.cpu.importEndMs)),
      },
      maxRssMB: median(group.map((s) => s.child.maxRssKB / 1024)),
      ...(cliRuns.length > 0 ? { cliWallMs: median(cliRuns.map((c) => c.wallMs)) } : {}),
    });
  }
  return rows.sort((a, b) => a.size - b.size || a.scenario.localeCompare(b.scenario) || a.cache.localeCompare(b.cache));
}

export interface Linearity {
  cache: Cache;
  scenario: Scenario;
  smallSize: number;
  largeSize: number;
  /** ms per resource at each size, of the measure `linearity` was given. */
  perResourceSmall: number;
  perResourceLarge: number;
  /** perResourceLarge / perResourceSmall: 1 is linear, 4 would be quadratic over 500 → 2,000. */
  ratio: number;
  linear: boolean;
}

/**
 * Growth is linear when the time per resource stays roughly constant from the middle size to the
 * largest (ratio ≤ 1.25). It is measured on the process's CPU time after its imports by default:
 * on this shared machine wall time moves with the neighbours' load, CPU time far less.
 * Fixed costs (TypeScript's lib files) only lower the ratio, so a quadratic phase still shows.
 */
export function linearity(rows: readonly Row[], cache: Cache, scenario: Scenario, pick: (r: Row) => number = (r) => r.cpu.work): Linearity | undefined {
  const rs = rows.filter((r) => r.cache === cache && r.scenario === scenario).sort((a, b) => a.size - b.size);
  if (rs.length < 2) return undefined;
  const large = rs[rs.length - 1]!;
  const small = rs[rs.length - 2]!;
  const perResourceSmall = pick(small) / small.size;
  const perResourceLarge = pick(large) / large.size;
  const ratio = perResourceLarge / perResourceSmall;
  return { cache, scenario, smallSize: small.size, largeSize: large.size, perResourceSmall, perResourceLarge, ratio, linear: ratio <= 1.25 };
}

export interface TargetCheck {
  name: string;
  limit: string;
  measured: string;
  ok: boolean;
}

/** Issue 2's targets, at 500 resources: ≤ 2 s warm, ≤ 6 s cold, ≤ 300 MB. */
export function targetChecks(rows: readonly Row[], size = 500): TargetCheck[] {
  const at = rows.filter((r) => r.size === size);
  if (at.length === 0) return [];
  const time = (r: Row): number => r.cliWallMs ?? r.wallMs;
  const worst = (cache: Cache): number => Math.max(...at.filter((r) => r.cache === cache).map(time));
  const rss = Math.max(...at.map((r) => r.maxRssMB));
  const warm = worst("warm");
  const cold = worst("cold");
  return [
    { name: `${size} resources, warm`, limit: "≤ 2.0 s", measured: `${(warm / 1000).toFixed(2)} s`, ok: warm <= 2000 },
    { name: `${size} resources, cold`, limit: "≤ 6.0 s", measured: `${(cold / 1000).toFixed(2)} s`, ok: cold <= 6000 },
    { name: `${size} resources, peak RSS`, limit: "≤ 300 MB", measured: `${rss.toFixed(0)} MB`, ok: rss <= 300 },
  ];
}

const fmt = (ms: number): string => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms)} ms`);

export function markdownTable(rows: readonly Row[]): string {
  const head = "| resources | state | cache | boot+import | type-check | transpile | run | synth | validate | state read | diff | render | in-process total | process wall | `infra plan` wall |";
  const sep = "|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|";
  const lines = rows.map((r) => {
    const p = r.phases;
    return `| ${r.size} | ${r.scenario} | ${r.cache} | ${fmt(p.bootMs + p.importMs)} | ${fmt(p.typecheckMs)} | ${fmt(p.transpileMs)} | ${fmt(p.runMs)} | ${fmt(p.synthMs)} | ${fmt(p.validateMs)} | ${fmt(p.stateMs)} | ${fmt(p.diffMs)} | ${fmt(p.renderMs)} | ${fmt(p.totalMs)} | ${fmt(r.wallMs)} | ${r.cliWallMs === undefined ? "–" : fmt(r.cliWallMs)} |`;
  });
  return [head, sep, ...lines].join("\n");
}

export function cpuTable(rows: readonly Row[]): string {
  const head = "| resources | state | cache | CPU: load (check+transpile+run+synth) | CPU: diff | CPU: render | CPU: process total | CPU after imports, per resource | peak RSS |";
  const sep = "|---:|---|---|---:|---:|---:|---:|---:|---:|";
  const lines = rows.map((r) => `| ${r.size} | ${r.scenario} | ${r.cache} | ${fmt(r.cpu.load)} | ${fmt(r.cpu.plan)} | ${fmt(r.cpu.render)} | ${fmt(r.cpu.total)} | ${(r.cpu.work / r.size).toFixed(2)} ms | ${r.maxRssMB.toFixed(0)} MB |`);
  return [head, sep, ...lines].join("\n");
}

export function linearityTable(ls: readonly Linearity[]): string {
  const head = "| cache | state | sizes | ms/resource (smaller) | ms/resource (larger) | ratio | linear (≤ 1.25) |";
  const sep = "|---|---|---|---:|---:|---:|---|";
  return [head, sep, ...ls.map((l) => `| ${l.cache} | ${l.scenario} | ${l.smallSize} → ${l.largeSize} | ${l.perResourceSmall.toFixed(2)} | ${l.perResourceLarge.toFixed(2)} | ${l.ratio.toFixed(2)} | ${l.linear ? "yes" : "NO"} |`)].join("\n");
}

export function targetsTable(cs: readonly TargetCheck[]): string {
  return ["| target | limit | measured | met |", "|---|---|---:|---|", ...cs.map((c) => `| ${c.name} | ${c.limit} | ${c.measured} | ${c.ok ? "yes" : "NO"} |`)].join("\n");
}
