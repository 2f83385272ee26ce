/**
 * COPY and ADD in two phases: `prepare` finds the sources (context, heredoc, URL, or another
 * stage/image) and hashes them for the cache key without touching the image; `apply` places
 * them into the step's mounted rootfs (destination and `--chown` names depend on the image).
 */
import { readFile } from "node:fs/promises";
import { posix } from "node:path";
import { resolveUser } from "../container/resolve-user.js";
import { isProviderError } from "../../contract.js";
import { archiveItems, asTarArchive, downloadUrl, isUrl, urlFileName } from "./add-sources.js";
import { at, buildError } from "./build-error.js";
import { hashCopyItems, planCopy, type CopyItem, type CopyMatch } from "./copy-plan.js";
import { cleanSource, hasWildcard, matchSources, staticPrefix, walkTree, type SourceTree } from "./copy-sources.js";
import { writeCopyItems } from "./copy-writer.js";
import type { DockerfileInstruction } from "./dockerfile-types.js";
import type { ArgEnvScope } from "./arg-env-scope.js";
import { flagValue } from "./image-config-update.js";
import { isDirInRoot, readFileInRoot } from "./scoped-path.js";

/** Where `--from` sources come from: a mounted read-only root and what identifies it. */
export interface FromRoot {
  root: string;
  identity: string;
}

export interface CopyStepContext {
  file: string;
  /** The build context after .dockerignore, walked once. */
  context: () => Promise<SourceTree>;
  /** Mounts a stage or image for `--from`; disposed by the caller after the step. */
  fromRoot: (name: string) => Promise<FromRoot>;
  signal?: AbortSignal;
}

export interface PreparedCopy {
  /** What the cache key needs besides the parent: flags, sources, destination, content hash. */
  keyParts: Record<string, unknown>;
  apply(rootfs: string, workdir: string): Promise<void>;
}

interface Source {
  matches: CopyMatch[];
  /** Files with inline content (heredocs, downloads), placed like files. */
  inline: Array<{ name: string; data: Uint8Array; mode: number }>;
}

function parseChmod(v: string, file: string, line: number): number {
  if (!/^[0-7]{3,4}$/.test(v)) throw buildError("Invalid", "BAD_CHMOD", `${at(file, line)}invalid --chmod=${v}`, "give an octal mode such as --chmod=644 or --chmod=0755");
  return parseInt(v, 8);
}

export async function prepareCopy(ins: DockerfileInstruction, scope: ArgEnvScope, cx: CopyStepContext): Promise<PreparedCopy> {
  const what = ins.instruction;
  const words = (Array.isArray(ins.args) ? ins.args : [ins.args]).map((w) => (ins.json ? scope.expandWord(w) : scope.expandWord(w)));
  if (words.length < 2) throw buildError("Invalid", "COPY_ARGS", `${at(cx.file, ins.line)}${what} requires at least two arguments`, `${what} SRC... DEST`);
  const dest = words[words.length - 1]!;
  const srcs = words.slice(0, -1);
  const from = flagValue(ins.flags, "from");
  const fromName = from === undefined ? undefined : scope.expandWord(from);
  const chownRaw = flagValue(ins.flags, "chown");
  const chown = chownRaw === undefined ? undefined : scope.expandWord(chownRaw);
  const chmodRaw = flagValue(ins.flags, "chmod");
  const chmod = chmodRaw === undefined ? undefined : parseChmod(scope.expandWord(chmodRaw), cx.file, ins.line);
  const heredocs = new Map((ins.heredocs ?? []).map((h) => [h.name, h]));

  const src: Source = { matches: [], inline: [] };
  let fromRoot: FromRoot | undefined;
  if (fromName !== undefined) {
    if (what === "ADD") throw buildError("Invalid", "ADD_FROM", `${at(cx.file, ins.line)}ADD does not take --from`, "use COPY --from=STAGE");
    fromRoot = await cx.fromRoot(fromName);
  }
  for (const s of srcs) {
    const hd = s.startsWith("<<") ? heredocs.get(s.replace(/^<<-?/, "").replace(/^["']|["']$/g, "")) : undefined;
    if (hd) {
      const content = hd.expand ? scope.expandWord(hd.content) : hd.content;
      src.inline.push({ name: hd.name, data: Buffer.from(content), mode: 0o644 });
      continue;
    }
    if (isUrl(s)) {
      if (what !== "ADD") throw buildError("Invalid", "COPY_URL", `${at(cx.file, ins.line)}COPY does not take URLs: ${s}`, "use ADD for URLs");
      src.inline.push({ name: urlFileName(s), data: await downloadUrl(s, 30000, cx.signal), mode: 0o600 });
      continue;
    }
    let tree: SourceTree;
    if (fromRoot) {
      const clean = cleanSource(s);
      tree = await walkTree(fromRoot.root, hasWildcard(clean) ? staticPrefix(clean) : clean);
    } else tree = await cx.context();
    const found = matchSources(tree, s);
    if (found.length === 0) {
      const where = fromName !== undefined ? `in '${fromName}'` : "in build context or excluded by .dockerignore";
      throw buildError("NotFound", "COPY_SOURCE_MISSING", `${at(cx.file, ins.line)}${what} failed: file not found ${where}: ${s}`, fromName !== undefined ? `check the path inside '${fromName}'` : `create ${s} in the context (${tree.root}), fix the path, or remove it from .dockerignore`);
    }
    for (const e of found) src.matches.push({ tree, entry: e });
  }

  // Hash of the sources as placed under "/": names, types, modes, owners, contents.
  const keepOwners = fromRoot !== undefined;
  const hashItems: CopyItem[] = [
    ...planCopy(src.matches, { dest: "/", destExistsAsDir: true, keepOwners, what }),
    ...src.inline.map((f): CopyItem => ({ dest: `/${f.name}`, type: "file", mode: f.mode, uid: 0, gid: 0, linkname: "", data: f.data })),
  ];
  const contentHash = await hashCopyItems(hashItems, (p) => readFile(p));
  const keyParts: Record<string, unknown> = { i: what, srcs, dest, from: fromRoot?.identity ?? null, chown: chown ?? null, chmod: chmod ?? null, contentHash, link: flagValue(ins.flags, "link") ?? null };

  return {
    keyParts,
    async apply(rootfs: string, workdir: string): Promise<void> {
      let target = dest.startsWith("/") ? dest : posix.join(workdir, dest) + (dest.endsWith("/") || dest === "." ? "/" : "");
      if (target === "") target = "/";
      const owner = chown === undefined ? undefined : await resolveChown(rootfs, chown, cx.file, ins.line);
      const destIsDir = target.endsWith("/") || (await isDirInRoot(rootfs, target));
      const count = src.matches.length + src.inline.length;
      if (count > 1 && !destIsDir)
        throw buildError("Invalid", "COPY_DEST_NOT_DIR", `${at(cx.file, ins.line)}When using ${what} with more than one source file, the destination must be a directory and end with a /`, `write the destination as ${dest}/`);
      const items: CopyItem[] = [];
      const plain: CopyMatch[] = [];
      for (const m of src.matches) {
        const archive = what === "ADD" && m.entry.type === "file" ? asTarArchive(await readFile(m.entry.abs)) : undefined;
        if (archive) items.push(...archiveItems(archive, target.endsWith("/") ? target : `${target}/`, owner, chmod));
        else plain.push(m);
      }
      const opts: Parameters<typeof planCopy>[1] = { dest: target, destExistsAsDir: destIsDir || count > 1, keepOwners, what };
      if (owner) opts.chown = owner;
      if (chmod !== undefined) opts.chmod = chmod;
      items.unshift(...planCopy(plain, opts));
      for (const f of src.inline) {
        const place = destIsDir ? posix.join(target, f.name) : target;
        items.push({ dest: place, type: "file", mode: chmod ?? f.mode, uid: owner?.uid ?? 0, gid: owner?.gid ?? 0, linkname: "", data: f.data });
      }
      await writeCopyItems(rootfs, items, owner ?? { uid: 0, gid: 0 });
    },
  };
}

/** `--chown=user[:group]`: names from the image's passwd/group; a lone user means gid = uid. */
async function resolveChown(rootfs: string, spec: string, file: string, line: number): Promise<{ uid: number; gid: number }> {
  const [u = "", g] = spec.split(":", 2);
  try {
    if (/^\d+$/.test(u) && (g === undefined || /^\d+$/.test(g))) return { uid: Number(u), gid: Number(g ?? u) };
    const r = resolveUser(spec, await readFileInRoot(rootfs, "/etc/passwd"), await readFileInRoot(rootfs, "/etc/group"));
    return { uid: r.uid, gid: g === undefined ? r.uid : r.gid };
  } catch (e) {
    if (!isProviderError(e)) throw e;
    throw buildError("Invalid", "BAD_CHOWN", `${at(file, line)}--chown=${spec}: ${e.message}`, e.hint ?? "use numeric ids, or names from the image's /etc/passwd and /etc/group");
  }
}
