/** `infra images` and `infra rmi [-f]`: the engine's image store. */
import type { ImageRecord } from "../../providers/local-runtime/image/image-types.js";
import type { Command } from "../command.js";
import { expectPositionals, parseFlags } from "../parse-flags.js";
import { engineFor } from "./engine-session.js";

export const imagesCommand: Command = {
  name: ["images"],
  aliases: [["image", "ls"]],
  summary: "List images",
  usage: "Usage: infra images [-q|--quiet] [--json]",
  flags: { quiet: { kind: "boolean", short: "q" }, json: { kind: "boolean" } },
  async run(argv, io) {
    const f = parseFlags(argv, { quiet: { kind: "boolean", short: "q" }, json: { kind: "boolean" } }, "images");
    expectPositionals(f, 0, 0, "images");
    const list = await (await engineFor(io.env)).call<ImageRecord[]>("GET", "/images");
    if (f.booleans.json) { io.stdout.write(JSON.stringify(list.map(({ manifest: _m, config: _c, ...r }) => r), null, 2) + "\n"); return 0; }
    if (f.booleans.quiet) { io.stdout.write(list.map((i) => i.id.slice(7, 19) + "\n").join("")); return 0; }
    const rows = [["REPOSITORY", "TAG", "IMAGE ID", "SIZE"]];
    for (const i of list) for (const n of i.names) {
      const c = n.lastIndexOf(":");
      rows.push([n.slice(0, c), n.slice(c + 1), i.id.slice(7, 19), `${(i.size / 1048576).toFixed(1)}MB`]);
    }
    const w = rows[0]!.map((_, k) => Math.max(...rows.map((x) => x[k]!.length)));
    io.stdout.write(rows.map((x) => x.map((c, k) => c.padEnd(w[k]!)).join("   ").trimEnd() + "\n").join(""));
    return 0;
  },
};

export const rmiCommand: Command = {
  name: ["rmi"],
  aliases: [["image", "rm"]],
  summary: "Remove images (refuses an image in use unless -f)",
  usage: "Usage: infra rmi [-f|--force] IMAGE...",
  flags: { force: { kind: "boolean", short: "f" } },
  async run(argv, io) {
    const f = parseFlags(argv, { force: { kind: "boolean", short: "f" } }, "rmi");
    expectPositionals(f, 1, Infinity, "rmi");
    const engine = await engineFor(io.env);
    for (const ref of f.positionals) {
      const r = await engine.call<{ untagged: string[]; deleted: string[] }>("DELETE", `/images/${encodeURIComponent(ref)}?force=${f.booleans.force ? 1 : 0}`);
      for (const u of r.untagged) io.stdout.write(`Untagged: ${u}\n`);
      for (const d of r.deleted) io.stdout.write(`Deleted: ${d}\n`);
    }
    return 0;
  },
};
