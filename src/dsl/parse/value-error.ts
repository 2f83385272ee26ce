/** Thrown by the pure parsers; synth turns it into a Diagnostic with the attribute and value. */
export class ValueError extends Error {
  readonly code: string;
  readonly hint: string | undefined;
  constructor(code: string, message: string, hint?: string) {
    super(message);
    this.code = code;
    this.hint = hint;
  }
}
