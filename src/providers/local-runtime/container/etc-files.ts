/** The /etc/hosts, /etc/resolv.conf and /etc/hostname the engine writes for a container. Pure. */

export interface HostsInput {
  hostname: string;
  /** The container's own addresses (first network first). */
  addresses: string[];
  extraHosts?: Array<{ host: string; ip: string }>;
  entries?: Array<{ ip: string; names: string[] }>;
}

export function renderHosts(i: HostsInput): string {
  const lines = [
    "127.0.0.1\tlocalhost",
    "::1\tlocalhost ip6-localhost ip6-loopback",
    "fe00::0\tip6-localnet",
    "ff00::0\tip6-mcastprefix",
    "ff02::1\tip6-allnodes",
    "ff02::2\tip6-allrouters",
  ];
  for (const e of i.entries ?? []) lines.push(`${e.ip}\t${e.names.join(" ")}`);
  for (const e of i.extraHosts ?? []) lines.push(`${e.ip}\t${e.host}`);
  for (const a of i.addresses) lines.push(`${a}\t${i.hostname}`);
  if (i.addresses.length === 0) lines.push(`127.0.1.1\t${i.hostname}`);
  return lines.join("\n") + "\n";
}

/** Host nameservers on loopback are useless inside a private netns: they are dropped. */
export function renderResolvConf(hostResolv: string, o: { nameservers?: string[]; search?: string[]; options?: string[]; hostNetwork?: boolean }): string {
  const host = hostResolv.split("\n").map((l) => l.trim());
  const hostNs = host.filter((l) => l.startsWith("nameserver ")).map((l) => l.split(/\s+/)[1] ?? "")
    .filter((ns) => ns !== "" && (o.hostNetwork || !(ns.startsWith("127.") || ns === "::1")));
  const ns = o.nameservers?.length ? o.nameservers : hostNs.length ? hostNs : ["8.8.8.8", "8.8.4.4"];
  const hostSearch = host.find((l) => l.startsWith("search "))?.split(/\s+/).slice(1) ?? [];
  const search = o.search ?? hostSearch;
  const lines = ns.map((n) => `nameserver ${n}`);
  if (search.length) lines.push(`search ${search.join(" ")}`);
  if (o.options?.length) lines.push(`options ${o.options.join(" ")}`);
  return lines.join("\n") + "\n";
}
