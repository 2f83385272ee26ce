/**
 * `infra inspect`'s object: the engine's record as it always was (id, name, state, spec, network
 * ...), with Docker's field names added beside it where a script looks for them (Id, Name,
 * State.Status, Config.Image, NetworkSettings.Networks.NET.IPAddress, Mounts ...). Pure.
 */
import type { ContainerRecord } from "../../providers/local-runtime/container/container-record.js";
import { containerNetworks } from "./container-filter.js";

const ZERO_TIME = "0001-01-01T00:00:00Z";

/** `imageEnv`: the image's ENV, which Docker's Config.Env shows with the container's own on top. */
export function dockerInspect(r: ContainerRecord, imageEnv: readonly string[] = []): Record<string, unknown> {
  const s = r.spec;
  const endpoints = r.network?.endpoints ?? [];
  const networks: Record<string, unknown> = {};
  for (const name of containerNetworks(r)) if (!name.startsWith("container:")) networks[name] = { IPAddress: "", IPPrefixLen: 0, Gateway: "", MacAddress: "", Aliases: null };
  for (const e of endpoints) {
    const wanted = (s.networks ?? []).find((n) => n.network === e.network);
    networks[e.network] = { IPAddress: e.ipv4Address, IPPrefixLen: e.prefixLength, Gateway: e.gateway, MacAddress: e.macAddress, Aliases: e.aliases.length ? e.aliases : wanted?.aliases ?? null };
  }
  const ports: Record<string, Array<{ HostIp: string; HostPort: string }> | null> = {};
  for (const p of s.ports ?? []) ports[`${p.containerPort}/${p.protocol ?? "tcp"}`] ??= null;
  for (const p of r.network?.ports ?? []) (ports[`${p.containerPort}/${p.protocol}`] ??= [])!.push({ HostIp: p.hostIp, HostPort: String(p.hostPort) });
  const first = endpoints[0];
  return {
    ...r,
    Id: r.id,
    Created: r.createdAt,
    Path: (s.entrypoint ?? s.command ?? [])[0] ?? "",
    Args: [...(s.entrypoint ?? []), ...(s.command ?? [])].slice(1),
    Name: `/${r.name}`,
    Image: r.imageId,
    RestartCount: r.restartCount,
    State: {
      Status: r.state,
      Running: r.state === "running" || r.state === "paused",
      Paused: r.state === "paused",
      Restarting: false,
      OOMKilled: r.oomKilled === true,
      Dead: false,
      Pid: r.state === "running" || r.state === "paused" ? r.pid ?? 0 : 0,
      ExitCode: r.exitCode ?? 0,
      Error: r.lastError ?? "",
      StartedAt: r.startedAt ?? ZERO_TIME,
      FinishedAt: r.finishedAt ?? ZERO_TIME,
      ...(r.health ? { Health: { Status: r.health.status, FailingStreak: r.health.failingStreak, Log: r.health.log.map((l) => ({ Start: l.start, End: l.end, ExitCode: l.exitCode, Output: l.output })) } } : {}),
    },
    Config: {
      Hostname: s.hostname ?? r.id.slice(0, 12),
      User: s.user ?? "",
      Tty: s.tty === true,
      OpenStdin: s.stdinOpen === true,
      Env: mergedEnv(imageEnv, s.env ?? {}),
      Cmd: s.command ?? null,
      Entrypoint: s.entrypoint ?? null,
      Image: s.image,
      WorkingDir: s.workingDir ?? "",
      Labels: s.labels ?? {},
      StopSignal: s.stopSignal ?? "SIGTERM",
      ...(s.stopTimeout !== undefined ? { StopTimeout: s.stopTimeout } : {}),
    },
    HostConfig: {
      NetworkMode: typeof s.networkMode === "object" ? `container:${s.networkMode.container}` : s.networkMode ?? (s.networks?.length ? s.networks[0]!.network : "bridge"),
      RestartPolicy: { Name: s.restart?.policy ?? "no", MaximumRetryCount: s.restart?.maxRetries ?? 0 },
      AutoRemove: r.autoRemove === true,
      Privileged: s.privileged === true,
      ReadonlyRootfs: s.readOnlyRootfs === true,
      Memory: s.resources?.memory ?? 0,
      NanoCpus: Math.round((s.resources?.cpus ?? 0) * 1e9),
      PidsLimit: s.resources?.pidsLimit ?? null,
      CapAdd: s.capAdd ?? null,
      CapDrop: s.capDrop ?? null,
      Sysctls: s.sysctls ?? null,
      Ulimits: s.ulimits?.map((u) => ({ Name: u.name, Soft: u.soft, Hard: u.hard })) ?? null,
      Devices: s.devices?.map((d) => ({ PathOnHost: d.hostPath, PathInContainer: d.containerPath, CgroupPermissions: d.permissions })) ?? null,
    },
    NetworkSettings: {
      IPAddress: first?.ipv4Address ?? "",
      Gateway: first?.gateway ?? "",
      MacAddress: first?.macAddress ?? "",
      Ports: ports,
      Networks: networks,
    },
    Mounts: r.mounts.map((m) => ({
      Type: m.type,
      ...(m.type === "volume" ? { Name: m.source ?? "" } : {}),
      Source: m.source ?? "",
      Destination: m.target,
      RW: m.readOnly !== true,
    })),
  };
}

function mergedEnv(image: readonly string[], own: Record<string, string>): string[] {
  const env = new Map<string, string>();
  for (const kv of image) if (kv.indexOf("=") > 0) env.set(kv.slice(0, kv.indexOf("=")), kv.slice(kv.indexOf("=") + 1));
  for (const [k, v] of Object.entries(own)) env.set(k, v);
  return [...env].map(([k, v]) => `${k}=${v}`);
}
