/**
 * How every view names a deposed object (one left over from a partially-failed replacement):
 * Terraform's `ADDR (deposed object ID)`, and where it sorts among the changes of its address.
 */

/** Long hex ids (container, image digests) cut to 12 digits as Docker prints them; other ids whole. */
export function shortObjectId(id: string): string {
  const m = /^(sha256:)?([0-9a-f]{13,})$/.exec(id);
  return m === null ? id : `${m[1] ?? ""}${m[2]!.slice(0, 12)}`;
}

/** `container.web`, or `container.web (deposed object 3f2a7b1c9d0e)` for a deposed object. */
export function objectLabel(address: string, deposed: string | undefined): string {
  return deposed === undefined ? address : `${address} (deposed object ${shortObjectId(deposed)})`;
}

/** Changes by address; at one address the current object first, then deposed ones by id. */
export function compareChanges(a: { address: string; deposed?: string }, b: { address: string; deposed?: string }): number {
  if (a.address !== b.address) return a.address < b.address ? -1 : 1;
  if (a.deposed === b.deposed) return 0;
  if (a.deposed === undefined) return -1;
  if (b.deposed === undefined) return 1;
  return a.deposed < b.deposed ? -1 : 1;
}
