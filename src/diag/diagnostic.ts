/** Where in a user's file something was declared. Lines and columns are 1-based. */
export interface SourceLocation {
  file: string;
  line: number;
  column: number;
}

export type Severity = "error" | "warning";

/**
 * A problem reported as a value, never printed where it is found.
 * `code` is stable (INFRA_<AREA>_<WHAT>) so that tools can branch on it.
 */
export interface Diagnostic {
  code: string;
  severity: Severity;
  /** One line, in the user's words. */
  summary: string;
  /** Why it is a problem; may be several lines. */
  detail?: string;
  /** What to do about it. */
  hint?: string;
  /** Resource address (e.g. `container.web`) when the problem belongs to one. */
  address?: string;
  /** Attribute path inside the resource (e.g. `ports[0].hostPort`). */
  attribute?: string;
  /** The offending value, as the user wrote it. */
  value?: unknown;
  location?: SourceLocation;
}

export function errorDiag(code: string, summary: string, extra: Partial<Diagnostic> = {}): Diagnostic {
  return { code, severity: "error", summary, ...extra };
}

export function warningDiag(code: string, summary: string, extra: Partial<Diagnostic> = {}): Diagnostic {
  return { code, severity: "warning", summary, ...extra };
}

export function hasErrors(diags: readonly Diagnostic[]): boolean {
  return diags.some((d) => d.severity === "error");
}
