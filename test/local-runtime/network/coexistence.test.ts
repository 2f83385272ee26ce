/**
 * Coexistence with another engine's firewall, without touching the real host's: each case makes
 * a "host" network namespace, loads a firewall into it (Docker's iptables-nft layout, or another
 * firewall's inet table) whose forward policy drops, and runs fixtures/coexist-child.ts inside
 * it. Deleting the namespace at the end removes everything made there. Root only.
 */
import t from "tap";
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

if (process.getuid?.() !== 0) {
  t.plan(0, "needs root");
  process.exit(0);
}

const id = randomBytes(3).toString("hex");
const here = dirname(fileURLToPath(import.meta.url));
const child = join(here, "fixtures", "coexist-child.ts");

function sh(file: string, args: string[], input?: string, timeout = 20_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const p = execFile(file, args, { encoding: "utf8", timeout, maxBuffer: 32 << 20 }, (err, stdout, stderr) =>
      err ? reject(Object.assign(err, { stdout, stderr })) : resolve(stdout),
    );
    // A command that exits before reading its stdin makes the pipe fail with EPIPE: not an error here.
    p.stdin?.on("error", () => undefined);
    p.stdin?.end(input ?? "");
  });
}

/** Docker ≥ 28 as iptables-nft writes it (expressions iptables-nft reads back), ip and ip6. */
const DOCKER = `
table ip filter {
	chain INPUT { type filter hook input priority filter; policy accept; }
	chain FORWARD {
		type filter hook forward priority filter; policy drop;
		counter jump DOCKER-USER
		counter jump DOCKER-FORWARD
	}
	chain OUTPUT { type filter hook output priority filter; policy accept; }
	chain DOCKER {
		iifname != "docker0" oifname "docker0" counter drop
	}
	chain DOCKER-BRIDGE {
		oifname "docker0" counter jump DOCKER
	}
	chain DOCKER-FORWARD {
		counter jump DOCKER-BRIDGE
		iifname "docker0" counter accept
	}
	chain DOCKER-USER {
		counter return
	}
}
table ip6 filter {
	chain FORWARD {
		type filter hook forward priority filter; policy drop;
		counter jump DOCKER-USER
	}
	chain DOCKER-USER {
		counter return
	}
}
table ip nat {
	chain POSTROUTING {
		type nat hook postrouting priority srcnat; policy accept;
		oifname != "docker0" ip saddr 172.17.0.0/16 counter masquerade
	}
}
`;

const OTHER = (name: string) => `
table inet ${name} {
	chain fw_forward {
		type filter hook forward priority filter; policy drop;
		ct state established,related accept
		iifname "lo" accept comment "theirs"
	}
}
`;

interface Entry {
  [kind: string]: { family?: string; table?: string; name?: string; comment?: string } | undefined;
}

/** The listing without our table and our tagged rules: what must equal the listing before. */
function foreign(json: string, table: string): Entry[] {
  return (JSON.parse(json) as { nftables: Entry[] }).nftables.filter((e) => {
    if (e.metainfo) return false;
    const v = Object.values(e)[0] ?? {};
    if (v.family === "inet" && (v.table === table || (e.table !== undefined && v.name === table))) return false;
    return !(e.rule !== undefined && e.rule.comment === `infra:${table}`);
  });
}

interface Report {
  error?: string;
  bridges: string[];
  checks: Record<string, boolean>;
  rulesBeforeNetworks: number;
  rules: string[];
  rulesAfterRestart: string[];
  rulesAfterFirstRemoval: string[];
  rulesAtEnd: string[];
  tableAtEnd: boolean;
  filterDuring: string;
  iptables: string;
  warningsWithoutRules: Array<{ code: string; value: string }>;
  warnings: unknown[];
  unsupportedWarnings?: Array<{ code: string; value: string; severity: string }>;
  unsupportedAfterSync?: string;
  reconciled: string[];
}

async function runCase(t: Tap.Test, mode: string, firewall: string, extra: Record<string, string> = {}): Promise<Report & { before: string; after: string; table: string; prefix: string }> {
  const ns = `infra-e2-${id}-${mode}`;
  const dir = mkdtempSync(join(tmpdir(), `infra-coexist-${id}-`));
  const table = `infra_c${id}`;
  const prefix = `c${id}`;
  t.teardown(async () => {
    await sh("ip", ["netns", "del", ns]).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  });
  await sh("ip", ["netns", "add", ns]);
  await sh("ip", ["netns", "exec", ns, "ip", "link", "set", "lo", "up"]);
  await sh("ip", ["netns", "exec", ns, "nft", "-f", "-"], firewall);
  const list = () => sh("ip", ["netns", "exec", ns, "nft", "-s", "-j", "list", "ruleset"]);
  const before = await list();
  const cfg = JSON.stringify({ dir, table, prefix, ...extra });
  const out = await sh("ip", ["netns", "exec", ns, process.execPath, "--import", "tsx", child, cfg], undefined, 90_000);
  const after = await list();
  const report = JSON.parse(out.trim().split("\n").pop() ?? "{}") as Report;
  return { ...report, before, after, table, prefix };
}

const rulesFor = (where: string[], devices: string[]) =>
  where.flatMap((w) => devices.flatMap((d) => [`${w} iifname ${d}`, `${w} oifname ${d}`])).sort();

t.test("Docker's FORWARD policy drop: our rules in DOCKER-USER, Docker's rules unchanged", async (t) => {
  const r = await runCase(t, "docker", DOCKER);
  t.equal(r.error, undefined, "the child ran through");
  for (const [name, ok] of Object.entries(r.checks)) t.ok(ok, name);
  t.ok(Object.keys(r.checks).length >= 25, "all checks ran");
  t.equal(r.rulesBeforeNetworks, 0, "no rules before the first bridge network");
  const where = ["ip filter DOCKER-USER", "ip6 filter DOCKER-USER"];
  t.same(r.rules, rulesFor(where, r.bridges), "two rules per bridge, in DOCKER-USER of ip and ip6 filter");
  t.same(r.rulesAfterRestart, r.rules, "restored after a restart, never duplicated");
  t.same(
    r.warningsWithoutRules.map((w) => `${w.code} ${w.value}`).sort(),
    ["INFRA_NET_FORWARD_DROP ip filter FORWARD", "INFRA_NET_FORWARD_DROP ip6 filter FORWARD"],
    "missing rules are reported",
  );
  t.same(r.warnings, [], "no warning once the rules are there");
  t.same(r.rulesAfterFirstRemoval, rulesFor(where, [r.bridges[1]!]), "a removed network's rules go with it");
  t.same(r.rulesAtEnd, [], "nothing of ours remains after the last network");
  t.equal(r.tableAtEnd, false, "our table is gone");
  t.same(r.reconciled, [`${r.prefix}c3`]);
  t.same(foreign(r.filterDuring, r.table), foreign(r.before, r.table), "Docker's rules unchanged except our tagged additions");
  t.equal(r.after, r.before, "the firewall is byte for byte what it was");
  if (existsSync("/usr/sbin/iptables-nft") || existsSync("/sbin/iptables-nft")) {
    t.notMatch(r.iptables, /^FAILED/, "iptables-nft still reads Docker's table");
    t.match(r.iptables, `-A DOCKER-USER -i ${r.bridges[0]} -m comment --comment "infra:${r.table}" -j ACCEPT`);
    t.match(r.iptables, `-A DOCKER-USER -o ${r.bridges[0]} -m comment --comment "infra:${r.table}" -j ACCEPT`);
  }
});

t.test("another firewall's drop chain: our rules at its top; a bridge-family drop is reported", async (t) => {
  const fw = `fw${id}`;
  const brTable = `br${id}`;
  const r = await runCase(t, "other", OTHER(fw), {
    unsupportedScript: `table bridge ${brTable} {\n\tchain forward { type filter hook forward priority filter; policy drop; }\n}\n`,
    unsupportedTable: brTable,
  });
  t.equal(r.error, undefined, "the child ran through");
  for (const [name, ok] of Object.entries(r.checks)) t.ok(ok, name);
  t.same(r.rules, rulesFor([`inet ${fw} fw_forward`], r.bridges));
  t.same(r.rulesAfterRestart, r.rules);
  t.same(r.warningsWithoutRules.map((w) => w.value), [`inet ${fw} fw_forward`]);
  t.same(r.unsupportedWarnings, [{ code: "INFRA_NET_FORWARD_DROP", value: `bridge ${brTable} forward`, severity: "warning" }]);
  t.notMatch(r.unsupportedAfterSync ?? "", "infra:", "nothing added to the bridge-family table");
  t.match(r.unsupportedAfterSync ?? "", '"policy": "drop"', "and nothing changed there");
  t.same(r.rulesAtEnd, []);
  t.same(foreign(r.filterDuring, r.table), foreign(r.before, r.table), "their rules unchanged except our tagged additions");
  t.equal(r.after, r.before);
});
