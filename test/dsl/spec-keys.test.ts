import t from "tap";
import { readFileSync } from "node:fs";
import ts from "typescript";
import { SPEC_KEYS } from "../../src/dsl/validate/spec-keys.js";

// The validator's list of canonical attributes must be exactly the members of the spec interfaces.
t.test("SPEC_KEYS matches the interfaces in src/graph/specs.ts", async (t) => {
  const file = new URL("../../src/graph/specs.ts", import.meta.url);
  const sf = ts.createSourceFile("specs.ts", readFileSync(file, "utf8"), ts.ScriptTarget.ES2022, true);
  const members = (name: string): string[] => {
    const decl = sf.statements.find((s): s is ts.InterfaceDeclaration => ts.isInterfaceDeclaration(s) && s.name.text === name);
    if (decl === undefined) throw new Error(`no interface ${name}`);
    return decl.members.map((m) => (m.name !== undefined && ts.isIdentifier(m.name) ? m.name.text : "?")).sort();
  };
  t.same([...SPEC_KEYS.container].sort(), members("ContainerSpec"));
  t.same([...SPEC_KEYS.network].sort(), members("NetworkSpec"));
  t.same([...SPEC_KEYS.volume].sort(), members("VolumeSpec"));
  t.same([...SPEC_KEYS.image].sort(), members("ImageSpec"));
});
