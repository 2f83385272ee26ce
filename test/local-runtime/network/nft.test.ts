/** Nft's deletes: one `nft` process when the table is there; a table removed behind infra's back is not an error. */
import t from "tap";
import { Nft } from "../../../src/providers/local-runtime/network/nft.js";
import type { ToolRunner } from "../../../src/providers/local-runtime/network/run-tool.js";

function fakeNft(tables: string[], applyFails: boolean) {
  const calls: string[][] = [];
  const run: ToolRunner = async (file, args) => {
    calls.push([file, ...args]);
    if (args[0] === "-f") {
      if (applyFails) throw new Error("nft: No such file or directory");
      return { stdout: "", stderr: "" };
    }
    return { stdout: JSON.stringify({ nftables: tables.map((name) => ({ table: { family: "inet", name } })) }), stderr: "" };
  };
  return { nft: new Nft("infra_t", run), calls };
}

t.test("applyDelete", async (t) => {
  const ok = fakeNft(["infra_t"], false);
  await ok.nft.applyDelete("delete element ...");
  t.same(ok.calls, [["nft", "-f", "-"]], "one process, no listing first");

  const gone = fakeNft(["other"], true);
  await gone.nft.applyDelete("delete element ...");
  t.same(gone.calls.map((c) => c[1]), ["-f", "-j"], "the failure is checked against the table list");

  const there = fakeNft(["infra_t"], true);
  await t.rejects(there.nft.applyDelete("delete element ..."), /No such file/, "a failure on an existing table is reported");
});
