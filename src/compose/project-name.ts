/** Project names as compose normalises them: lower case, only [a-z0-9_-], starting with a letter or digit. */
export function normalizeProjectName(raw: string): string {
  return raw.toLowerCase().replace(/[^a-z0-9_-]/g, "").replace(/^[^a-z0-9]+/, "");
}

/** `-p`, then COMPOSE_PROJECT_NAME, then `name:`, then the project directory's name. */
export function pickProjectName(opts: { flag?: string | undefined; env?: string | undefined; fileName?: string | undefined; dirName: string }): string {
  const raw = [opts.flag, opts.env, opts.fileName].find((x) => x !== undefined && x !== "") ?? opts.dirName;
  return normalizeProjectName(raw);
}
