/** Schema checks every provider can run before touching anything: unknown attributes are refused. */
import type { Diagnostic } from "../../diag/diagnostic.js";
import type { ResourceSchema, ValidateRequest } from "../contract.js";

export function validatePropsAgainstSchema(schema: ResourceSchema | undefined, req: ValidateRequest, provider: string): Diagnostic[] {
  if (schema === undefined) {
    return [
      {
        code: "INFRA_PROVIDER_UNSUPPORTED_TYPE",
        severity: "error",
        summary: `Provider "${provider}" does not manage resources of type "${req.type}"`,
        address: req.address,
        value: req.type,
        hint: "Use a provider that supports this resource type.",
      },
    ];
  }
  const known = Object.keys(schema.attributes).sort();
  const diags: Diagnostic[] = [];
  for (const k of Object.keys(req.props).sort()) {
    if (k in schema.attributes) continue;
    diags.push({
      code: "INFRA_PROVIDER_UNKNOWN_ATTRIBUTE",
      severity: "error",
      summary: `Unknown attribute "${k}" for a ${req.type}`,
      address: req.address,
      attribute: k,
      value: req.props[k],
      hint: `Known attributes: ${known.join(", ")}.`,
    });
  }
  return diags;
}
