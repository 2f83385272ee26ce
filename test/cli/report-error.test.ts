// A provider's (the engine's) error is printed as its message, code and hint: no generic sentence
// about the failure's category is added to it, except the one that tells a reader something
// (an Unavailable failure may succeed when tried again).
import { PassThrough } from "node:stream";
import t from "tap";
import type { CommandIO } from "../../src/cli/command.js";
import { reportError } from "../../src/cli/main.js";
import { ProviderError } from "../../src/providers/contract.js";

async function report(e: unknown): Promise<{ code: number; err: string }> {
  const stderr = new PassThrough();
  let err = "";
  stderr.on("data", (d: Buffer) => (err += d.toString()));
  const io: CommandIO = { stdout: new PassThrough(), stderr, stdin: new PassThrough(), env: {}, cwd: "/", color: false };
  const code = await reportError(e, io);
  return { code, err };
}

t.test("Docker-style errors carry no generic category sentence", async (t) => {
  for (const category of ["Conflict", "NotFound", "AlreadyExists", "Invalid", "Internal"] as const) {
    const r = await report(new ProviderError(category, "INFRA_RUNTIME_CONTAINER_RUNNING", "container 'web' is running", { hint: "stop it first, or use rm -f" }));
    t.equal(r.code, 1);
    t.match(r.err, /container 'web' is running \[INFRA_RUNTIME_CONTAINER_RUNNING\]/);
    t.match(r.err, /Hint: stop it first, or use rm -f/);
    t.notMatch(r.err, /provider reported|failure\./i, `${category}: no sentence about the category`);
  }
});

t.test("an Unavailable failure says it may succeed when tried again", async (t) => {
  const r = await report(new ProviderError("Unavailable", "INFRA_RUNTIME_ENGINE_DOWN", "cannot reach the engine at /run/infra/engine.sock: ECONNREFUSED", { hint: "start it with `infra engine`" }));
  t.match(r.err, /cannot reach the engine/);
  t.match(r.err, /temporary: the same command may succeed when tried again/);
});
