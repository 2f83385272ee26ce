/** Resolves `user`, `uid`, `user:group`, `uid:gid` against an image's passwd and group files. Pure. */
import { runtimeError } from "../runtime-error.js";

export interface ResolvedUser {
  uid: number;
  gid: number;
  additionalGids: number[];
  home: string;
}

function table(text: string): string[][] {
  return text.split("\n").filter((l) => l.trim() !== "" && !l.startsWith("#")).map((l) => l.split(":"));
}

export function resolveUser(spec: string, passwd: string, group: string): ResolvedUser {
  const [u = "", g] = spec.split(":", 2);
  const users = table(passwd);
  const groups = table(group);
  let uid: number;
  let gid: number | undefined;
  let home = "/";
  let name: string | undefined;
  if (/^\d+$/.test(u)) {
    uid = Number(u);
    const row = users.find((r) => Number(r[2]) === uid);
    if (row) { gid = Number(row[3]); home = row[5] ?? "/"; name = row[0]; }
  } else {
    const row = users.find((r) => r[0] === u);
    if (!row) throw runtimeError("Invalid", "UNKNOWN_USER", `user '${u}' is not in the image's /etc/passwd`, "use a name from the image or a numeric uid[:gid]");
    uid = Number(row[2]);
    gid = Number(row[3]);
    home = row[5] ?? "/";
    name = u;
  }
  if (g !== undefined && g !== "") {
    if (/^\d+$/.test(g)) gid = Number(g);
    else {
      const row = groups.find((r) => r[0] === g);
      if (!row) throw runtimeError("Invalid", "UNKNOWN_GROUP", `group '${g}' is not in the image's /etc/group`, "use a group from the image or a numeric gid");
      gid = Number(row[2]);
    }
  }
  const additionalGids = name === undefined ? [] : groups.filter((r) => (r[3] ?? "").split(",").includes(name!)).map((r) => Number(r[2]));
  return { uid, gid: gid ?? 0, additionalGids: additionalGids.filter((x) => x !== (gid ?? 0)), home };
}
