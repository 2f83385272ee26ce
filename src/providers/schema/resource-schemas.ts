/**
 * Which attributes change in place and which force replacement, for every provider that runs
 * containers. Shared so that the in-memory test provider plans exactly as the real ones do.
 * The principle: replace only what the engine cannot change on a live object (the top
 * complaint about Docker providers is spurious replacement).
 */
import type { ResourceType } from "../../graph/resource.js";
import type { AttributeSchema, ResourceSchema } from "../contract.js";

const R: AttributeSchema = { onChange: "replace" };
const U: AttributeSchema = { onChange: "update" };

const containerAttributes: Record<string, AttributeSchema> = {
  name: R, image: R, command: R, entrypoint: R, env: R, workingDir: R, user: R, hostname: R,
  domainname: R, tty: R, stdinOpen: R, ports: R, networkMode: R, links: R, mounts: R,
  volumesFrom: R, healthcheck: R, capAdd: R, capDrop: R, privileged: R, readOnlyRootfs: R,
  noNewPrivileges: R, init: R, stopSignal: R, stopTimeout: R, ulimits: R, sysctls: R,
  extraHosts: R, dns: R, dnsSearch: R, dnsOptions: R, devices: R, logging: R,
  // Changed on the live container: cgroup limits, restart policy, labels kept by the engine,
  // and network attachments (connect/disconnect).
  labels: U, restart: U, resources: U, networks: U,
  // Only what the provider does before a start: nothing to change on the live container.
  waitFor: U,
};

export const RESOURCE_SCHEMAS: Record<ResourceType, ResourceSchema> = {
  container: {
    type: "container",
    attributes: containerAttributes,
    outputs: {
      id: { description: "container id" },
      ipAddress: { description: "first IPv4 address", changesOnUpdate: ["networks"] },
      ipAddresses: { description: "IPv4 address per network", changesOnUpdate: ["networks"] },
      hostPorts: { description: "host port per published container port" },
      imageId: { description: "id of the image the container runs" },
      status: { description: "running, exited ..." },
    },
  },
  network: {
    type: "network",
    attributes: {
      name: R, driver: R, subnet: R, gateway: R, ipRange: R, internal: R, labels: R, options: R, parent: R, vlan: R,
    },
    outputs: {
      id: { description: "network id" },
      name: { description: "network name", fromInput: "name" },
      subnet: { description: "subnet, chosen from the pool when not given" },
      gateway: { description: "gateway address" },
    },
  },
  volume: {
    type: "volume",
    attributes: { name: R, driver: R, labels: R, driverOpts: R },
    outputs: {
      id: { description: "volume id" },
      name: { description: "volume name", fromInput: "name" },
      mountpoint: { description: "host path of the volume's data" },
    },
  },
  image: {
    type: "image",
    attributes: { name: R, build: R, pull: U, keepLocally: U },
    outputs: {
      id: { description: "image id (config digest)" },
      digest: { description: "manifest digest" },
      name: { description: "image reference", fromInput: "name" },
    },
  },
};
