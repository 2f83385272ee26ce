import { PassThrough } from "node:stream";
import t from "tap";
import { ApplyPrinter } from "../../src/cli/apply-printer.js";
import type { CommandIO } from "../../src/cli/command.js";

function io(isTTY: boolean): { io: CommandIO; text: () => string } {
  const out = new PassThrough() as PassThrough & { isTTY: boolean; columns: number };
  out.isTTY = isTTY;
  out.columns = 80;
  let buf = "";
  out.on("data", (d: Buffer) => (buf += d.toString()));
  return { io: { stdout: out, stderr: new PassThrough(), stdin: new PassThrough(), env: {}, cwd: "/", color: false }, text: () => buf };
}

t.test("plain lines when not a terminal", async (t) => {
  const { io: i, text } = io(false);
  const p = new ApplyPrinter(i);
  p.event({ kind: "start", address: "network.app", action: "create", elapsedMs: 0 });
  p.event({ kind: "done", address: "network.app", action: "create", elapsedMs: 500 });
  p.finish();
  t.equal(text(), "network.app: Creating...\nnetwork.app: Creation complete after 0.5s\n");
});

t.test("on a terminal, running resources stay in a block redrawn in place", async (t) => {
  const { io: i, text } = io(true);
  const p = new ApplyPrinter(i);
  p.event({ kind: "start", address: "network.app", action: "create", elapsedMs: 0 });
  p.event({ kind: "start", address: "volume.v", action: "delete", elapsedMs: 0 });
  p.event({ kind: "done", address: "network.app", action: "create", elapsedMs: 500 });
  p.finish();
  const out = text();
  t.match(out, /network\.app: Still creating\.\.\. \[0\.\ds elapsed\]\n/);
  t.match(out, /\x1b\[2A\x1b\[J/, "the two-line block is cleared before redrawing");
  t.match(out, /network\.app: Creation complete after 0\.5s\nvolume\.v: Still destroying/);
  t.ok(out.endsWith("\x1b[1A\x1b[J"), "finish removes the block");
});
