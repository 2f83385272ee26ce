// runc's "could not start the process" messages → typed failures (the CLI's 126 / 127).
import t from "tap";
import { classifyCommandFailure, commandFailure } from "../../src/providers/local-runtime/container/command-failure.js";
import { runcErrorText } from "../../src/providers/local-runtime/container/sync-pipe.js";

t.test("runc 1.1's wordings", async (t) => {
  t.same(classifyCommandFailure('runc run failed: unable to start container process: exec: "nosuch": executable file not found in $PATH'), { kind: "not-found", command: "nosuch", reason: "executable file not found in $PATH" });
  t.equal(classifyCommandFailure('unable to start container process: exec: "/no/such": stat /no/such: no such file or directory')?.kind, "not-found");
  t.equal(classifyCommandFailure('unable to start container process: exec: "/etc/passwd": permission denied')?.kind, "not-executable");
  t.equal(classifyCommandFailure('unable to start container process: exec: "/bin/x": exec format error')?.kind, "not-executable");
  t.equal(classifyCommandFailure('unable to start container process: exec: "a \\"q\\"": permission denied')?.command, 'a "q"');
  t.equal(classifyCommandFailure("unable to apply cgroup configuration: permission denied"), undefined, "another failure is not the command's");
  const line = 'time="2026-12-08T01:01:57Z" level=error msg="exec failed: unable to start container process: exec: \\"nosuch\\": executable file not found in $PATH"\n';
  t.match(commandFailure(runcErrorText(line), "web"), { code: "INFRA_RUNTIME_COMMAND_NOT_FOUND", category: "Invalid", message: '"nosuch" in container web: executable file not found in $PATH' });
  t.equal(commandFailure("exit status 1"), undefined);
});
