// Container `waitFor`: a Container or a name, one of three conditions, and a dependency edge.
import t from "tap";
import { Container, Stack, synth } from "../../src/dsl/index.js";
import type { ContainerProps } from "../../src/dsl/container-props.js";

t.test("waitFor takes a Container (a reference, so an edge) or a name", async (t) => {
  const s = new Stack("shop");
  const db = new Container(s, "db", { image: "busybox", healthcheck: { test: "true" } });
  new Container(s, "web", {
    image: "busybox",
    waitFor: [{ container: db, condition: "healthy" }, { container: "migrations", condition: "completed_successfully" }],
  });
  const { graph, diagnostics } = synth(s);
  t.same(diagnostics, []);
  const web = graph.resources.find((r) => r.address === "container.web");
  t.same(web?.props.waitFor, [
    { container: { $ref: { address: "container.db", attr: "name" } }, condition: "healthy" },
    { container: "migrations", condition: "completed_successfully" },
  ]);
  t.same(web?.dependencies, ["container.db"], "the referenced container comes first");
});

t.test("a bad condition or key is an error naming the attribute", async (t) => {
  const s = new Stack("shop");
  const db = new Container(s, "db", { image: "busybox" });
  new Container(s, "web", {
    image: "busybox",
    waitFor: [
      { container: db, condition: "ready" } as unknown as NonNullable<ContainerProps["waitFor"]>[number],
      { container: db, condition: "started", timeout: 5 } as unknown as NonNullable<ContainerProps["waitFor"]>[number],
    ],
  });
  const { diagnostics } = synth(s);
  t.match(diagnostics, [
    { code: "INFRA_VALIDATE_INVALID_VALUE", attribute: "waitFor[0].condition", value: "ready" },
    { code: "INFRA_VALIDATE_UNKNOWN_KEY", attribute: "waitFor[1].timeout" },
  ]);
});
