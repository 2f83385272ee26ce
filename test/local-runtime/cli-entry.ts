// Runs the CLI from source, for tests that need it as a separate process (under a pty).
import { runCli } from "../../src/cli/main.js";
await runCli(process.argv.slice(2));
