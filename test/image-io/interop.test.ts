/**
 * Interop with real clients (Debian's skopeo and umoci): what infra exports they read and unpack,
 * what they write infra imports. Everything lives in the test's own directory.
 */
import t from "tap";
import { execFile } from "node:child_process";
import { mkdir, readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { exportImages } from "../../src/providers/local-runtime/image/image-export.js";
import { importImageArchive } from "../../src/providers/local-runtime/image/image-import.js";
import { storeIn } from "./fixtures.js";

const run = promisify(execFile);

async function tool(cmd: string, args: string[]): Promise<string> {
  // skopeo keeps its policy in /etc/containers; an explicit insecure policy keeps the host's out of it.
  return (await run(cmd, args, { maxBuffer: 64 * 1024 * 1024 })).stdout;
}

t.test("skopeo and umoci read what infra exports", async (t) => {
  const dir = t.testdir({ "policy.json": JSON.stringify({ default: [{ type: "insecureAcceptAnything" }] }) });
  const policy = ["--policy", join(dir, "policy.json")];
  const s = await storeIn(join(dir, "store"));
  const bb = await s.mustResolve("busybox");
  const layout = join(dir, "oci");
  await exportImages(s, ["busybox"], { format: "oci", output: layout });

  const inspect = JSON.parse(await tool("skopeo", ["inspect", `oci:${layout}:latest`])) as { Digest: string; Layers: string[]; Architecture: string; Os: string };
  t.equal(inspect.Digest, bb.digest, "skopeo sees our manifest digest");
  t.same(inspect.Layers, bb.manifest.layers.map((l) => l.digest));
  t.equal(inspect.Os, "linux");
  const rawConfig = JSON.parse(await tool("skopeo", ["inspect", "--config", "--raw", `oci:${layout}:latest`])) as { rootfs: { diff_ids: string[] } };
  t.same(rawConfig.rootfs.diff_ids, bb.config.rootfs.diff_ids);

  const bundle = join(dir, "bundle");
  await tool("umoci", ["unpack", "--image", `${layout}:latest`, bundle]);
  t.ok((await stat(join(bundle, "rootfs/bin/busybox"))).isFile(), "umoci unpacked the rootfs");
  t.equal((await stat(join(bundle, "rootfs/bin/sh"))).ino, (await stat(join(bundle, "rootfs/bin/busybox"))).ino, "hardlinks kept");
  t.match(await readFile(join(bundle, "rootfs/etc/passwd"), "utf8"), /^root:x:0:0:/);
  const cfg = JSON.parse(await readFile(join(bundle, "config.json"), "utf8")) as { process: { args: string[] } };
  t.same(cfg.process.args, ["sh"], "umoci turned the image config into a runtime config");

  const ociTar = join(dir, "bb-oci.tar");
  await exportImages(s, ["busybox"], { format: "oci", output: ociTar });
  const fromTar = JSON.parse(await tool("skopeo", ["inspect", `oci-archive:${ociTar}:latest`])) as { Digest: string };
  t.equal(fromTar.Digest, bb.digest, "skopeo reads the OCI layout tar");

  const docker = join(dir, "bb-docker.tar");
  await exportImages(s, ["busybox"], { format: "docker", output: docker });
  const d = JSON.parse(await tool("skopeo", ["inspect", `docker-archive:${docker}`])) as { Layers: string[]; Architecture: string };
  t.equal(d.Architecture, "amd64", "skopeo reads the docker archive");
  t.same(d.Layers, bb.config.rootfs.diff_ids, "docker-archive layers are the uncompressed ones");
  const tags = JSON.parse(await tool("skopeo", ["list-tags", `docker-archive:${docker}`])) as { Tags: string[] };
  t.same(tags.Tags, ["localhost/busybox:latest"], "RepoTags");
  await tool("skopeo", [...policy, "copy", "-q", `docker-archive:${docker}`, `oci:${join(dir, "copied")}:x`]);
  const copied = JSON.parse(await tool("skopeo", ["inspect", "--config", "--raw", `oci:${join(dir, "copied")}:x`])) as { rootfs: { diff_ids: string[] } };
  t.same(copied.rootfs.diff_ids, bb.config.rootfs.diff_ids, "skopeo copies it out intact");
});

t.test("infra imports what umoci and skopeo write", async (t) => {
  const dir = t.testdir({ "policy.json": JSON.stringify({ default: [{ type: "insecureAcceptAnything" }] }) });
  const policy = ["--policy", join(dir, "policy.json")];
  const s = await storeIn(join(dir, "store"));

  // umoci: a new image, a file inserted, then an unpack, an edit and a repack.
  const layout = join(dir, "umoci-img");
  await tool("umoci", ["init", "--layout", layout]);
  await tool("umoci", ["new", "--image", `${layout}:v1`]);
  await mkdir(join(dir, "add"));
  await writeFile(join(dir, "add/hello.txt"), "hello from umoci\n");
  await tool("umoci", ["insert", "--image", `${layout}:v1`, join(dir, "add/hello.txt"), "/opt/hello.txt"]);
  const bundle = join(dir, "bundle");
  await tool("umoci", ["unpack", "--image", `${layout}:v1`, bundle]);
  await mkdir(join(bundle, "rootfs/etc"), { recursive: true });
  await writeFile(join(bundle, "rootfs/etc/motd"), "repacked\n");
  await tool("umoci", ["repack", "--image", `${layout}:v2`, bundle]);
  await tool("umoci", ["config", "--image", `${layout}:v2`, "--config.cmd", "/bin/true"]);

  const imp = await importImageArchive(s, layout);
  t.same(imp.images.map((i) => i.names).sort(), [["localhost/umoci-img:v1"], ["localhost/umoci-img:v2"]], "ref.name tags under the layout's name");
  const v2 = await s.mustResolve("localhost/umoci-img:v2");
  t.same(v2.config.config?.Cmd, ["/bin/true"]);
  const dirs = await s.layerDirs(v2);
  const find = async (p: string) => {
    for (const d of dirs) if (await stat(join(d, p)).then(() => true, () => false)) return readFile(join(d, p), "utf8");
    return undefined;
  };
  t.equal(await find("opt/hello.txt"), "hello from umoci\n", "the inserted file is in a layer");
  t.equal(await find("etc/motd"), "repacked\n", "the repacked file is in a layer");
  const umociInspect = JSON.parse(await tool("skopeo", ["inspect", `oci:${layout}:v2`])) as { Digest: string };
  t.equal(v2.digest, umociInspect.Digest, "manifest kept as its exact bytes");

  // skopeo: an OCI layout to a docker archive (legacy form, symlinked layers) and to an OCI archive.
  const archive = join(dir, "from-skopeo.tar");
  await tool("skopeo", [...policy, "copy", "-q", `oci:${layout}:v2`, `docker-archive:${archive}:docker.io/team/app:3`]);
  const fromDocker = await importImageArchive(s, archive);
  t.same(fromDocker.images.map((i) => [i.format, i.names]), [["docker-archive", ["docker.io/team/app:3"]]]);
  t.equal(fromDocker.images[0]!.id, v2.id, "the config survives skopeo's conversion byte for byte");
  const app = await s.mustResolve("docker.io/team/app:3");
  t.same(app.config.rootfs.diff_ids, v2.config.rootfs.diff_ids);
  const appDirs = await s.layerDirs(app);
  t.equal(appDirs.length, dirs.length);

  const ociArchive = join(dir, "skopeo-oci.tar");
  await tool("skopeo", [...policy, "copy", "-q", `oci:${layout}:v1`, `oci-archive:${ociArchive}:release`]);
  const fromOci = await importImageArchive(s, ociArchive);
  t.same(fromOci.images[0]!.names, ["localhost/skopeo-oci:release"]);
  t.equal(fromOci.images[0]!.id, (await s.mustResolve("localhost/umoci-img:v1")).id);
});
