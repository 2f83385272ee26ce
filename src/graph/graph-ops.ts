/**
 * Pure operations over the dependency graph: deterministic topological order, cycles,
 * dependents, and DOT export. An edge runs from a resource to each of its dependencies.
 */
import { InfraError } from "../diag/infra-error.js";
import type { ResourceNode, StackGraph } from "./resource.js";

type Nodes = readonly Pick<ResourceNode, "address" | "dependencies">[];

/** Dependencies per address, restricted to addresses present (dangling ones are validation's business). */
function adjacency(resources: Nodes): Map<string, string[]> {
  const present = new Set(resources.map((r) => r.address));
  const adj = new Map<string, string[]>();
  for (const r of resources) {
    adj.set(r.address, [...new Set(r.dependencies)].filter((d) => present.has(d)).sort());
  }
  return adj;
}

/** A small binary min-heap of strings, so that ties are always broken the same way. */
class MinHeap {
  private readonly a: string[] = [];
  get size(): number {
    return this.a.length;
  }
  push(x: string): void {
    const a = this.a;
    a.push(x);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if ((a[p] as string) <= x) break;
      a[i] = a[p] as string;
      i = p;
    }
    a[i] = x;
  }
  pop(): string | undefined {
    const a = this.a;
    const top = a[0];
    const last = a.pop();
    if (a.length > 0 && last !== undefined) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        let mv = last;
        if (l < a.length && (a[l] as string) < mv) {
          m = l;
          mv = a[l] as string;
        }
        if (r < a.length && (a[r] as string) < mv) m = r;
        if (m === i) break;
        a[i] = a[m] as string;
        i = m;
      }
      a[i] = last;
    }
    return top;
  }
}

/**
 * Addresses with every dependency before its dependents; among ready nodes the smallest address
 * first, so the order is the same on every run. Throws INFRA_GRAPH_CYCLE when there is a cycle.
 */
export function topoOrder(resources: Nodes): string[] {
  const adj = adjacency(resources);
  const waiting = new Map<string, number>();
  const users = new Map<string, string[]>();
  for (const [a, deps] of adj) {
    waiting.set(a, deps.length);
    for (const d of deps) {
      let u = users.get(d);
      if (u === undefined) users.set(d, (u = []));
      u.push(a);
    }
  }
  const ready = new MinHeap();
  for (const [a, n] of waiting) if (n === 0) ready.push(a);
  const out: string[] = [];
  for (let a = ready.pop(); a !== undefined; a = ready.pop()) {
    out.push(a);
    for (const u of users.get(a) ?? []) {
      const n = (waiting.get(u) ?? 0) - 1;
      waiting.set(u, n);
      if (n === 0) ready.push(u);
    }
  }
  if (out.length < adj.size) {
    const cycles = findCycles(resources);
    throw new InfraError("INFRA_GRAPH_CYCLE", `dependency cycle: ${formatCycle(cycles[0] ?? [])}`, {
      detail: cycles.map(formatCycle).join("\n"),
      hint: "remove one of the references or dependsOn entries in the cycle",
    });
  }
  return out;
}

/**
 * Every cycle, one per strongly connected component: a closed path that starts and ends at the
 * component's smallest address (`[a, b, a]`). A self-dependency is `[a, a]`.
 */
export function findCycles(resources: Nodes): string[][] {
  const adj = adjacency(resources);
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const comps: string[][] = [];
  let counter = 0;

  // Iterative Tarjan: long chains of resources must not overflow the call stack.
  for (const start of [...adj.keys()].sort()) {
    if (index.has(start)) continue;
    const work: Array<{ v: string; i: number }> = [{ v: start, i: 0 }];
    index.set(start, counter);
    low.set(start, counter++);
    stack.push(start);
    onStack.add(start);
    while (work.length > 0) {
      const top = work[work.length - 1] as { v: string; i: number };
      const deps = adj.get(top.v) ?? [];
      if (top.i < deps.length) {
        const w = deps[top.i++] as string;
        if (!index.has(w)) {
          index.set(w, counter);
          low.set(w, counter++);
          stack.push(w);
          onStack.add(w);
          work.push({ v: w, i: 0 });
        } else if (onStack.has(w)) {
          low.set(top.v, Math.min(low.get(top.v) as number, index.get(w) as number));
        }
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent !== undefined) low.set(parent.v, Math.min(low.get(parent.v) as number, low.get(top.v) as number));
      if (low.get(top.v) === index.get(top.v)) {
        const comp: string[] = [];
        let w: string | undefined;
        do {
          w = stack.pop() as string;
          onStack.delete(w);
          comp.push(w);
        } while (w !== top.v);
        if (comp.length > 1 || (adj.get(top.v) ?? []).includes(top.v)) comps.push(comp);
      }
    }
  }
  return comps.map((c) => cycleIn(new Set(c), adj)).sort((a, b) => ((a[0] ?? "") < (b[0] ?? "") ? -1 : 1));
}

/** The shortest cycle through the component's smallest address (breadth first, sorted edges). */
function cycleIn(comp: Set<string>, adj: Map<string, string[]>): string[] {
  const start = [...comp].sort()[0] as string;
  const prev = new Map<string, string>();
  const queue = [start];
  for (let qi = 0; qi < queue.length; qi++) {
    const v = queue[qi] as string;
    for (const w of adj.get(v) ?? []) {
      if (!comp.has(w)) continue;
      if (w === start) {
        const path = [start];
        for (let x: string | undefined = v; x !== undefined && x !== start; x = prev.get(x)) path.splice(1, 0, x);
        path.push(start);
        return path;
      }
      if (!prev.has(w)) {
        prev.set(w, v);
        queue.push(w);
      }
    }
  }
  return [start, start];
}

/** `container.a -> container.b -> container.a` */
export function formatCycle(cycle: readonly string[]): string {
  return cycle.join(" -> ");
}

/** Addresses that depend on `address`, directly or (by default) transitively; sorted. */
export function dependents(graph: Pick<StackGraph, "resources">, address: string, opts: { transitive?: boolean } = {}): string[] {
  const users = new Map<string, string[]>();
  for (const r of graph.resources) {
    for (const d of r.dependencies) {
      let u = users.get(d);
      if (u === undefined) users.set(d, (u = []));
      u.push(r.address);
    }
  }
  const seen = new Set<string>();
  const todo = [...(users.get(address) ?? [])];
  while (todo.length > 0) {
    const a = todo.pop() as string;
    if (seen.has(a) || a === address) continue;
    seen.add(a);
    if (opts.transitive !== false) todo.push(...(users.get(a) ?? []));
  }
  return [...seen].sort();
}

/** What `address` depends on, directly or (by default) transitively; sorted. */
export function dependenciesOf(graph: Pick<StackGraph, "resources">, address: string, opts: { transitive?: boolean } = {}): string[] {
  const byAddr = new Map(graph.resources.map((r) => [r.address, r]));
  const seen = new Set<string>();
  const todo = [...(byAddr.get(address)?.dependencies ?? [])];
  while (todo.length > 0) {
    const a = todo.pop() as string;
    if (seen.has(a) || a === address) continue;
    seen.add(a);
    if (opts.transitive !== false) todo.push(...(byAddr.get(a)?.dependencies ?? []));
  }
  return [...seen].sort();
}

function dotId(s: string): string {
  return `"${s.replaceAll("\\", "\\\\").replaceAll('"', '\\"')}"`;
}

const SHAPES: Record<string, string> = { container: "box", image: "component", network: "ellipse", volume: "cylinder" };

/** Graphviz DOT, edges from a resource to what it depends on (as `terraform graph` draws them). */
export function toDot(graph: Pick<StackGraph, "stack" | "resources">): string {
  const lines = [`digraph ${dotId(graph.stack)} {`, "  rankdir = \"RL\";", "  node [fontname = \"sans-serif\"];"];
  const sorted = [...graph.resources].sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
  for (const r of sorted) lines.push(`  ${dotId(r.address)} [label = ${dotId(r.address)}, shape = ${SHAPES[r.type] ?? "box"}];`);
  for (const r of sorted) {
    for (const d of [...new Set(r.dependencies)].sort()) lines.push(`  ${dotId(r.address)} -> ${dotId(d)};`);
  }
  lines.push("}");
  return lines.join("\n") + "\n";
}
