/** The native parts built into dist/native/ (native/*.c): found from dist/ (built) and from src/ (tsx). */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

// dist/native/ of the package, seen from dist/providers/local-runtime/host/ and src/providers/local-runtime/host/.
const DIRS = ["../../../native/", "../../../../dist/native/"];

/** The path of a built native program (`infra-shim`, `infra-host`), or undefined when it is not built. */
export function findNativeBinary(name: string): string | undefined {
  for (const dir of DIRS) {
    const p = fileURLToPath(new URL(dir + name, import.meta.url));
    if (existsSync(p)) return p;
  }
  return undefined;
}
