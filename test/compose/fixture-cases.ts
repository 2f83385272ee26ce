/** The compose fixtures, with how each is loaded. Shared by the golden and the round-trip tests. */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), "fixtures");
export const EXAMPLES = join(dirname(fileURLToPath(import.meta.url)), "../../examples");

export interface FixtureCase {
  name: string;
  dir: string;
  files: string[];
  env?: Record<string, string>;
  profiles?: string[];
}

export const FIXTURE_CASES: FixtureCase[] = [
  { name: "all-keys", dir: join(FIXTURES, "all-keys"), files: ["compose.yaml"], env: { FROM_SHELL: "shell", HOME: "/home/u" } },
  { name: "v2-file", dir: join(FIXTURES, "v2-file"), files: ["docker-compose.yml"] },
  { name: "v3-deploy", dir: join(FIXTURES, "v3-deploy"), files: ["docker-compose.yml"] },
  { name: "networks", dir: join(FIXTURES, "networks"), files: ["compose.yaml"] },
  { name: "merge", dir: join(FIXTURES, "merge"), files: ["compose.yaml", "compose.override.yaml"] },
  { name: "extends", dir: join(FIXTURES, "extends"), files: ["compose.yaml"] },
  { name: "profiles", dir: join(FIXTURES, "profiles"), files: ["compose.yaml"], profiles: ["debug"] },
  { name: "compose-classic", dir: join(EXAMPLES, "compose-classic"), files: ["docker-compose.yml"] },
  { name: "compose-two-networks", dir: join(EXAMPLES, "compose-two-networks"), files: ["compose.yaml"] },
];
