import { InfraError } from "../diag/infra-error.js";

/** A value every view redacts. Synth emits it as `{ $secret: value }`. */
export class Secret<T> {
  readonly value: T;
  constructor(value: T) {
    this.value = value;
  }

  // A secret pasted into a larger string would leave the string unredacted: refuse it.
  toString(): string {
    throw new InfraError("INFRA_DSL_SECRET_IN_STRING", "a secret was used inside a string", {
      hint: "wrap the whole string instead: secret(`user:${password}`) with a plain password value",
    });
  }
}

export function secret<T>(value: T): Secret<T> {
  return new Secret(value);
}

export function isSecretObject(v: unknown): v is Secret<unknown> {
  return v instanceof Secret;
}
