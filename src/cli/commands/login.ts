/** `infra login -u USER (-p PASS | --password-stdin) HOST`: checks and stores registry credentials. */
import { resolveLayout } from "../../providers/local-runtime/layout.js";
import { checkLogin } from "../../providers/local-runtime/registry/check-login.js";
import { authFilePath, normalizeRegistryHost, saveCredentials } from "../../providers/local-runtime/registry/credentials.js";
import { loadEngineConfig } from "../../providers/local-runtime/engine/engine-config.js";
import { loadRegistriesConfig, registriesConfigPath, withEngineConfig } from "../../providers/local-runtime/registry/registries-config.js";
import type { Command, CommandIO } from "../command.js";
import { expectPositionals, parseFlags, usageError } from "../parse-flags.js";

const NAME = "login";

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(typeof c === "string" ? Buffer.from(c) : (c as Buffer));
  return Buffer.concat(chunks).toString("utf8");
}

export const loginCommand: Command = {
  name: ["login"],
  summary: "Store credentials for a registry",
  usage: [
    "Usage: infra login -u USER (-p PASSWORD | --password-stdin) HOST[:PORT]",
    "",
    "Checks the credentials against the registry (Basic or token authentication), then stores them",
    "in $INFRA_ROOT/auth.json, or ~/.config/infra/auth.json when INFRA_ROOT is unset (INFRA_AUTH_FILE",
    "overrides both). The file is written atomically with mode 0600.",
    "",
    "  -u, --username USER   the user name",
    "  -p, --password PASS   the password (visible in the process list: prefer --password-stdin)",
    "  --password-stdin      read the password from standard input",
  ].join("\n"),
  async run(argv: string[], io: CommandIO): Promise<number> {
    const flags = parseFlags(argv, { username: { kind: "string", short: "u" }, password: { kind: "string", short: "p" }, "password-stdin": { kind: "boolean" } }, NAME);
    expectPositionals(flags, 1, 1, NAME);
    const host = normalizeRegistryHost(flags.positionals[0] as string);
    const username = flags.strings.username;
    if (username === undefined || username === "") throw usageError("INFRA_CLI_ARGUMENT_MISSING", `"infra login" needs a user name (-u USER)`, NAME);
    const fromStdin = flags.booleans["password-stdin"] === true;
    if (fromStdin && flags.strings.password !== undefined) throw usageError("INFRA_CLI_FLAG_CONFLICT", "--password and --password-stdin cannot be used together", NAME);
    let password: string;
    if (fromStdin) {
      password = (await readAll(io.stdin)).replace(/\r?\n$/, "");
    } else if (flags.strings.password !== undefined) {
      password = flags.strings.password;
      io.stderr.write("Warning: a password given with -p is visible to other users of this machine; use --password-stdin.\n");
    } else {
      throw usageError("INFRA_CLI_ARGUMENT_MISSING", `"infra login" needs a password: -p PASSWORD or --password-stdin`, NAME);
    }
    if (password === "") throw usageError("INFRA_CLI_ARGUMENT_MISSING", "the password is empty", NAME);
    // Insecure registries of the engine settings are spoken to over plain HTTP here too.
    const config = withEngineConfig(await loadRegistriesConfig(registriesConfigPath(resolveLayout({}, io.env).root)), await loadEngineConfig(io.env));
    await checkLogin(host, { username, password }, config, io.signal ? { signal: io.signal } : {});
    const file = authFilePath(io.env);
    await saveCredentials(file, host, { username, password });
    io.stdout.write(`Login succeeded: ${username} at ${host} (stored in ${file})\n`);
    return 0;
  },
};
