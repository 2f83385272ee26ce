import t from "tap";
import { join } from "node:path";
import { composeFileIn, findComposeFile, isComposeFile } from "../../src/compose/find-compose-file.js";

t.test("compose's order of preference, and infra.ts taking precedence", async (t) => {
  const dir = t.testdir({ "docker-compose.yml": "", "compose.yaml": "" });
  t.equal(findComposeFile(dir), join(dir, "compose.yaml"));
  const old = t.testdir({ "docker-compose.yml": "" });
  t.equal(findComposeFile(old), join(old, "docker-compose.yml"));
  const both = t.testdir({ "docker-compose.yml": "", "infra.ts": "" });
  t.equal(findComposeFile(both), undefined, "a directory with infra.ts is a TypeScript stack");
  t.equal(composeFileIn(both), join(both, "docker-compose.yml"), "compose config still finds it");
  t.equal(findComposeFile(t.testdir({})), undefined);
  t.ok(isComposeFile("x/docker-compose.yml"));
  t.ok(isComposeFile("compose.YAML"));
  t.notOk(isComposeFile("infra.ts"));
});
