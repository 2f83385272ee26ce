import t from "tap";
import { forwardDrops } from "../../../src/providers/local-runtime/network/forward-drop-check.js";

t.test("forward drop detection reads other tables only", async (t) => {
  const listing = JSON.stringify({
    nftables: [
      { metainfo: {} },
      { chain: { family: "ip", table: "filter", name: "FORWARD", hook: "forward", policy: "drop" } },
      { chain: { family: "inet", table: "infra", name: "forward", hook: "forward", policy: "drop" } },
      { chain: { family: "ip", table: "nat", name: "POSTROUTING", hook: "postrouting", policy: "accept" } },
      { chain: { family: "inet", table: "fw", name: "fwd", hook: "forward", policy: "accept" } },
    ],
  });
  t.same(forwardDrops(listing, "infra"), [{ family: "ip", table: "filter", chain: "FORWARD" }]);
});
