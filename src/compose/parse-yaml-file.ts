/**
 * Parses one compose file into plain JSON, keeping the line and column of every key and item
 * (through `yaml`'s LineCounter) so that later errors can point at the user's text.
 */
import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, visit, type Alias, type Document, type Node } from "yaml";
import { errorDiag, type Diagnostic, type SourceLocation } from "../diag/diagnostic.js";
import { setNodeLocation } from "./source-map.js";

export interface ParsedYaml {
  /** The document as plain data; undefined when it could not be parsed. */
  data: unknown;
  diagnostics: Diagnostic[];
}

/**
 * How many values aliases may copy into one file's data. yaml's own `maxAliasCount` guards only its
 * toJS, which this reader does not use (it keeps positions); a few anchors with `<<: *default` in
 * every service copy a few thousand, an alias bomb ("billion laughs") billions.
 */
export const MAX_ALIAS_VALUES = 50_000;

class AliasBudgetExceeded extends Error {
  constructor(readonly at: Node) {
    super("alias budget exceeded");
  }
}

/** Each alias's target: the last node anchored with its name before it (found in one walk, not one walk per alias). */
function aliasTargets(doc: Document): Map<Alias, Node> {
  const anchors = new Map<string, Node>();
  const targets = new Map<Alias, Node>();
  visit(doc, {
    Node: (_key, node) => {
      if (isAlias(node)) {
        const target = anchors.get(node.source);
        if (target !== undefined) targets.set(node, target);
      } else if (node.anchor !== undefined) {
        anchors.set(node.anchor, node as Node);
      }
    },
  });
  return targets;
}

export function parseYamlFile(file: string, text: string): ParsedYaml {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, merge: true, uniqueKeys: true });
  const at = (offset: number | undefined): SourceLocation => {
    const p = lc.linePos(offset ?? 0);
    return { file, line: p.line, column: p.col };
  };
  if (doc.errors.length > 0) {
    const diagnostics = doc.errors.map((e) =>
      errorDiag("INFRA_COMPOSE_YAML", `invalid YAML: ${firstLine(e.message)}`, {
        location: at(e.pos[0]),
        detail: `The YAML parser stopped with ${e.code}.`,
        hint: "Check the indentation and quoting near this line.",
      }),
    );
    return { data: undefined, diagnostics };
  }
  // An alias is a copy of its target's value; positions come from the target. Copies are counted.
  const targets = aliasTargets(doc);
  let copied = 0;
  let aliasDepth = 0;
  /** The outermost alias being copied: where the user's text asks for the expansion. */
  let outer: Node | undefined;
  const convert = (node: Node | null | undefined, seen: Set<Node>): unknown => {
    if (node === null || node === undefined) return null;
    if (aliasDepth > 0 && ++copied > MAX_ALIAS_VALUES) throw new AliasBudgetExceeded(outer ?? node);
    if (isAlias(node)) {
      const target = targets.get(node);
      if (!target || seen.has(target)) return null;
      seen.add(target);
      if (aliasDepth === 0) outer = node;
      aliasDepth++;
      try {
        return convert(target, seen);
      } finally {
        aliasDepth--;
        seen.delete(target);
      }
    }
    if (isScalar(node)) {
      // Octal-looking numbers stay text so that file modes (0400, 0o400) keep the radix they were written in.
      if (typeof node.value === "number" && typeof node.source === "string" && /^0o?[0-7]+$/.test(node.source)) return node.source;
      return node.value ?? null;
    }
    if (isSeq(node)) {
      const out: unknown[] = [];
      const keys = setNodeLocation(out, at(node.range?.[0]));
      node.items.forEach((item, i) => {
        keys.set(i, at((item as Node | null)?.range?.[0] ?? node.range?.[0]));
        out.push(convert(item as Node, seen));
      });
      return out;
    }
    if (isMap(node)) {
      const out: Record<string, unknown> = {};
      const keys = setNodeLocation(out, at(node.range?.[0]));
      for (const pair of node.items) {
        if (!isPair(pair)) continue;
        const k = pair.key as Node | null;
        // The "<<" merge key: copy the merged mapping(s) in under keys not already set.
        if (isScalar(k) && (k.value === "<<" || typeof k.value === "symbol")) {
          const sources = isSeq(pair.value) ? pair.value.items : [pair.value];
          for (const s of sources) {
            const merged = convert(s as Node, seen);
            if (merged && typeof merged === "object" && !Array.isArray(merged)) {
              for (const [mk, mv] of Object.entries(merged)) if (!(mk in out)) out[mk] = mv;
            }
          }
          continue;
        }
        const key = isScalar(k) ? String(k.value) : String(k);
        keys.set(key, at(k?.range?.[0]));
        out[key] = convert(pair.value as Node | null, seen);
      }
      return out;
    }
    return null;
  };
  try {
    return { data: convert(doc.contents as Node | null, new Set()), diagnostics: [] };
  } catch (e) {
    if (!(e instanceof AliasBudgetExceeded)) throw e;
    return {
      data: undefined,
      diagnostics: [
        errorDiag("INFRA_COMPOSE_YAML_ALIASES", `YAML aliases in ${file} expand to more than ${MAX_ALIAS_VALUES} values`, {
          location: at(e.at.range?.[0]),
          detail: "Anchors that refer to anchors multiply: a few lines can stand for billions of values (an alias bomb). infra stops copying at this point.",
          hint: "Use fewer levels of anchors and aliases, or write the repeated values out.",
        }),
      ],
    };
  }
}

function firstLine(s: string): string {
  return s.split("\n")[0] ?? s;
}
