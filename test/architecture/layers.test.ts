// Holds the direction of imports that ARCHITECTURE.md draws, so that it stays true.
import t from "tap";
import { Project } from "ts-morph";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const src = join(root, "src");

/** For each layer (a folder under src/), the layers it must not import. */
const forbidden: Record<string, string[]> = {
  diag: ["graph", "dsl", "compose", "state", "plan", "providers", "views", "cli"],
  graph: ["dsl", "compose", "state", "plan", "providers", "views", "cli"],
  dsl: ["compose", "state", "plan", "providers", "views", "cli"],
  compose: ["state", "plan", "providers", "views", "cli"],
  state: ["dsl", "compose", "plan", "providers", "views", "cli"],
  plan: ["dsl", "compose", "views", "cli", "providers/local-runtime", "providers/memory", "providers/coreos-cluster"],
  providers: ["dsl", "compose", "state", "plan", "views", "cli"],
  views: ["dsl", "compose", "state/local-backend", "providers", "cli"],
};

function layerOf(file: string): string {
  const rel = relative(src, file).split("/");
  return rel[0] === "providers" && rel.length > 2 ? `providers/${rel[1]}` : (rel[0] ?? "");
}

function violates(fromLayer: string, target: string): string | undefined {
  const base = fromLayer.startsWith("providers/") ? "providers" : fromLayer;
  const rel = relative(src, target);
  for (const f of forbidden[base] ?? []) {
    if (rel === f || rel.startsWith(f + "/") || rel.startsWith(f + ".")) return f;
  }
  // One provider never reaches into another.
  if (fromLayer.startsWith("providers/") && rel.startsWith("providers/")) {
    const other = layerOf(target);
    if (other.startsWith("providers/") && other !== fromLayer && other !== "providers/schema") return other;
  }
  return undefined;
}

t.test("imports follow the layer rules", async (t) => {
  const project = new Project({ skipAddingFilesFromTsConfig: true, skipFileDependencyResolution: true });
  project.addSourceFilesAtPaths(join(src, "**/*.ts"));
  const files = project.getSourceFiles();
  t.ok(files.length > 10, "sources were found");
  const problems: string[] = [];
  for (const sf of files) {
    const from = sf.getFilePath();
    const layer = layerOf(from);
    for (const decl of [...sf.getImportDeclarations(), ...sf.getExportDeclarations()]) {
      const spec = decl.getModuleSpecifierValue();
      if (!spec || !spec.startsWith(".")) continue;
      const target = resolve(dirname(from), spec);
      const bad = violates(layer, target);
      if (bad) problems.push(`${relative(root, from)} imports ${spec} (layer ${layer} must not import ${bad})`);
    }
  }
  t.same(problems, [], "no layer imports what it must not");
});

t.test("the rule checker catches a violation", async (t) => {
  t.equal(violates("providers/memory", join(src, "plan/planner.ts")), "plan");
  t.equal(violates("graph", join(src, "dsl/index.ts")), "dsl");
  t.equal(violates("providers/local-runtime", join(src, "providers/memory/memory-provider.ts")), "providers/memory");
  t.equal(violates("plan", join(src, "providers/contract.ts")), undefined);
});
