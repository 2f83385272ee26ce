import t from "tap";
import { codeFrame, renderDiagnostics } from "../../src/views/diagnostics-view.js";

t.test("a diagnostic shows code, summary, location, address, value, frame, detail and hint", async (t) => {
  const src = "import { Container } from \"infra\";\n\nnew Container(stack, \"web\", {\n  ports: [70000],\n});\n";
  const out = renderDiagnostics(
    [
      {
        code: "INFRA_DSL_PORT_RANGE",
        severity: "error",
        summary: "Port 70000 is out of range",
        detail: "Ports are numbers from 1 to 65535.",
        hint: "Pick a port between 1 and 65535.",
        address: "container.web",
        attribute: "ports[0]",
        value: 70000,
        location: { file: "infra.ts", line: 4, column: 11 },
      },
      { code: "INFRA_X_WARN", severity: "warning", summary: "Something to know" },
    ],
    { color: false, source: (f) => (f === "infra.ts" ? src : undefined) },
  );
  t.equal(
    out,
    `Error: Port 70000 is out of range [INFRA_DSL_PORT_RANGE]
  --> infra.ts:4:11
  at container.web, attribute ports[0]
  value: 70000

  2 | 
  3 | new Container(stack, "web", {
> 4 |   ports: [70000],
    |           ^
  5 | });

  Ports are numbers from 1 to 65535.

  Hint: Pick a port between 1 and 65535.

Warning: Something to know [INFRA_X_WARN]
`.replace("  2 | \n", "  2 |\n"),
  );
});

t.test("no second frame when the detail already has one", async (t) => {
  const out = renderDiagnostics(
    [{ code: "INFRA_T", severity: "error", summary: "Type error", detail: "> 1 | let x: string = 1;\n    |     ^", location: { file: "a.ts", line: 1, column: 5 } }],
    { color: false, source: () => "let x: string = 1;\n" },
  );
  t.equal((out.match(/let x/g) ?? []).length, 1);
});

t.test("code frame at the first line", async (t) => {
  t.same(codeFrame("abc\ndef\n", 1, 2), ["> 1 | abc", "    |  ^", "  2 | def"]);
});
