/** Runs one host tool (ip, nft, unshare, umount) with optional stdin; failures become ProviderErrors. */
import { spawn } from "node:child_process";
import { ProviderError } from "../../contract.js";

export interface ToolResult {
  stdout: string;
  stderr: string;
}

export type ToolRunner = (file: string, args: string[], input?: string) => Promise<ToolResult>;

export const runTool: ToolRunner = (file, args, input) =>
  new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: ["pipe", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (b: Buffer) => out.push(b));
    child.stderr.on("data", (b: Buffer) => err.push(b));
    child.on("error", (e) =>
      reject(new ProviderError("Unavailable", "INFRA_NET_TOOL_MISSING", `cannot run ${file}: ${e.message}`, {
        hint: `install ${file} (Debian: iproute2, nftables, util-linux)`,
        cause: e,
      })),
    );
    child.on("close", (code) => {
      const stdout = Buffer.concat(out).toString("utf8");
      const stderr = Buffer.concat(err).toString("utf8");
      if (code === 0) resolve({ stdout, stderr });
      else
        reject(new ProviderError("Internal", "INFRA_NET_COMMAND_FAILED", `${file} ${args.join(" ")} failed: ${stderr.trim() || `exit ${code}`}`, {
          hint: "see the message from the tool; run it by hand to reproduce",
        }));
    });
    child.stdin.on("error", () => undefined);
    child.stdin.end(input ?? "");
  });
