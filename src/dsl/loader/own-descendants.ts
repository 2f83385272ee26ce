/** This process's descendants, read from /proc (Linux, like the rest of infra). */
import { readdirSync, readFileSync } from "node:fs";

/** The children of `pid` ("self" for this process), from every thread: a child a worker thread started is listed under that thread. */
function childrenOf(pid: string): number[] {
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return []; // no /proc, or the process ended while we looked
  }
  const out: number[] = [];
  for (const tid of tasks) {
    let list = "";
    try {
      list = readFileSync(`/proc/${pid}/task/${tid}/children`, "utf8");
    } catch {
      continue; // the thread ended while we looked
    }
    for (const p of list.split(" ")) if (/^\d+$/.test(p.trim())) out.push(Number(p));
  }
  return out;
}

/** Children and their children: killing only a shell would leave its command holding the pipes a sync call reads. */
export function ownDescendants(): Set<number> {
  const out = new Set<number>();
  const queue = childrenOf("self");
  while (queue.length > 0) {
    const pid = queue.shift()!;
    if (out.has(pid)) continue;
    out.add(pid);
    queue.push(...childrenOf(String(pid)));
  }
  return out;
}
