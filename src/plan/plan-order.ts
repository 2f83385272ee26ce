/** Deterministic topological order: dependencies first, ties broken by address. */

export interface OrderResult {
  order: string[];
  /** Addresses left in or behind a cycle (appended to `order` by address). */
  cyclic: string[];
}

/** `deps` maps every node to the nodes it depends on; edges to unknown nodes are ignored. */
export function topologicalOrder(deps: ReadonlyMap<string, readonly string[]>): OrderResult {
  const indegree = new Map<string, number>();
  const dependents = new Map<string, string[]>();
  for (const a of deps.keys()) {
    indegree.set(a, 0);
    dependents.set(a, []);
  }
  for (const [a, ds] of deps) {
    for (const d of new Set(ds)) {
      if (!deps.has(d) || d === a) continue;
      indegree.set(a, (indegree.get(a) ?? 0) + 1);
      dependents.get(d)!.push(a);
    }
  }
  const ready = [...indegree].filter(([, n]) => n === 0).map(([a]) => a).sort();
  const order: string[] = [];
  while (ready.length > 0) {
    const a = ready.shift()!;
    order.push(a);
    for (const x of dependents.get(a) ?? []) {
      const n = (indegree.get(x) ?? 0) - 1;
      indegree.set(x, n);
      if (n === 0) insertSorted(ready, x);
    }
  }
  const cyclic = [...indegree].filter(([a, n]) => n > 0 && !order.includes(a)).map(([a]) => a).sort();
  return { order: [...order, ...cyclic], cyclic };
}

function insertSorted(arr: string[], x: string): void {
  let lo = 0;
  let hi = arr.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (arr[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  arr.splice(lo, 0, x);
}

/** Every node reachable from `start` along `edges` (start included). */
export function closure(start: Iterable<string>, edges: ReadonlyMap<string, readonly string[]>): Set<string> {
  const seen = new Set<string>();
  const stack = [...start];
  while (stack.length > 0) {
    const a = stack.pop()!;
    if (seen.has(a)) continue;
    seen.add(a);
    for (const b of edges.get(a) ?? []) if (!seen.has(b)) stack.push(b);
  }
  return seen;
}

/** The same edges pointing the other way (dependency → dependents). */
export function reverseEdges(edges: ReadonlyMap<string, readonly string[]>): Map<string, string[]> {
  const rev = new Map<string, string[]>();
  for (const a of edges.keys()) rev.set(a, []);
  for (const [a, ds] of edges) {
    for (const d of ds) {
      if (!rev.has(d)) rev.set(d, []);
      rev.get(d)!.push(a);
    }
  }
  return rev;
}
