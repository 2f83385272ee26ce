/**
 * The TypeScript examples of the README and docs/: every ```ts block, extracted with the line it
 * starts on, and type-checked as stacks are (`typecheckFiles`, so `import ... from "infra"` resolves
 * as `infra check` resolves it). A block preceded by `<!-- no-check: REASON -->` is a deliberate
 * fragment and is skipped; the reason is required so that each exemption says why.
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { typecheckFiles } from "../../src/dsl/loader/typecheck.js";

export interface CodeBlock {
  /** Markdown file, as given. */
  file: string;
  /** 1-based line of the block's first code line (the line after the opening fence). */
  line: number;
  code: string;
  /** Set when a `<!-- no-check: why -->` comment precedes the block. */
  exempt?: string;
}

export interface BlockProblem {
  /** `file:line:column` in the Markdown file. */
  at: string;
  message: string;
}

const TS_INFO = /^(ts|typescript|mts|tsx)$/i;
const NO_CHECK = /^<!--\s*no-check\b:?\s*(.*?)\s*-->$/;

/** The fenced TypeScript blocks of one Markdown text (CommonMark fences: ``` or ~~~, up to 3 spaces in). */
export function extractTsBlocks(file: string, text: string): { blocks: CodeBlock[]; problems: BlockProblem[] } {
  const lines = text.split("\n");
  const blocks: CodeBlock[] = [];
  const problems: BlockProblem[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^( {0,3})(`{3,}|~{3,})\s*([^\s`]*)/.exec(lines[i]!);
    if (!open) continue;
    const [, indent, fence] = open as unknown as [string, string, string, string];
    const lang = open[3] ?? "";
    const close = new RegExp(`^ {0,3}${fence[0] === "`" ? "`" : "~"}{${fence.length},}\\s*$`);
    let end = i + 1;
    while (end < lines.length && !close.test(lines[end]!)) end++;
    if (TS_INFO.test(lang)) {
      const body = lines.slice(i + 1, end).map((l) => (l.startsWith(indent) ? l.slice(indent.length) : l.trimStart()));
      const block: CodeBlock = { file, line: i + 2, code: body.join("\n") };
      let prev = i - 1;
      while (prev >= 0 && lines[prev]!.trim() === "") prev--;
      const marker = prev >= 0 ? NO_CHECK.exec(lines[prev]!.trim()) : null;
      if (marker) {
        if (marker[1] === "") problems.push({ at: `${file}:${prev + 1}:1`, message: "a no-check marker needs a reason: <!-- no-check: why this block is a fragment -->" });
        else block.exempt = marker[1]!;
      }
      blocks.push(block);
    }
    i = end;
  }
  return { blocks, problems };
}

/** README.md and every .md under docs/ of a checkout, as paths relative to it. */
export async function docFiles(root: string): Promise<string[]> {
  const out = ["README.md"];
  const walk = async (dir: string): Promise<void> => {
    for (const e of await readdir(join(root, dir), { withFileTypes: true })) {
      if (e.isDirectory()) await walk(join(dir, e.name));
      else if (e.name.endsWith(".md")) out.push(join(dir, e.name));
    }
  };
  await walk("docs");
  return out.sort();
}

/**
 * Type-checks every block that is not exempt, each as its own module of one program, and returns
 * the errors at their place in the Markdown file.
 */
export async function checkBlocks(blocks: readonly CodeBlock[]): Promise<BlockProblem[]> {
  const dir = await mkdtemp(join(tmpdir(), "infra-doc-examples-"));
  try {
    const byFile = new Map<string, CodeBlock>();
    for (const [n, b] of blocks.entries()) {
      if (b.exempt !== undefined) continue;
      const f = join(dir, `block${n}.ts`);
      // `export {}` after the code keeps every block a module of its own without moving its lines.
      await writeFile(f, `${b.code}\nexport {};\n`);
      byFile.set(f, b);
    }
    if (byFile.size === 0) return [];
    const { diagnostics } = await typecheckFiles([...byFile.keys()]);
    return diagnostics.map((d) => {
      const b = d.location === undefined ? undefined : byFile.get(d.location.file);
      if (b === undefined || d.location === undefined) return { at: d.location ? relative(dir, d.location.file) : "(program)", message: d.summary };
      return { at: `${b.file}:${b.line + d.location.line - 1}:${d.location.column ?? 1}`, message: d.summary };
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export async function readBlocks(root: string): Promise<{ blocks: CodeBlock[]; problems: BlockProblem[] }> {
  const blocks: CodeBlock[] = [];
  const problems: BlockProblem[] = [];
  for (const f of await docFiles(root)) {
    const r = extractTsBlocks(f, await readFile(join(root, f), "utf8"));
    blocks.push(...r.blocks);
    problems.push(...r.problems);
  }
  return { blocks, problems };
}
