/** One tar member as the reader yields it and the writer takes it. */
export type TarEntryType = "file" | "dir" | "symlink" | "hardlink" | "char" | "block" | "fifo";

export interface TarEntry {
  /** Path as stored (may start with `./`; never trusted). */
  path: string;
  type: TarEntryType;
  mode: number;
  uid: number;
  gid: number;
  mtime: number;
  /** Symlink target or hardlink source path. */
  linkname: string;
  devmajor: number;
  devminor: number;
  /** Extended attributes from PAX `SCHILY.xattr.*` records. */
  xattrs: Record<string, string>;
  /** File content (regular files only). */
  data?: Uint8Array;
}

export function tarEntry(path: string, type: TarEntryType, extra: Partial<TarEntry> = {}): TarEntry {
  return {
    path,
    type,
    mode: type === "dir" ? 0o755 : type === "symlink" ? 0o777 : 0o644,
    uid: 0,
    gid: 0,
    mtime: 0,
    linkname: "",
    devmajor: 0,
    devminor: 0,
    xattrs: {},
    ...extra,
  };
}

/** A member as a streaming reader yields it: its metadata and the size of the data that follows. */
export type TarHeader = Omit<TarEntry, "data"> & { size: number };
