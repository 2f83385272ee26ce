import type { Construct } from "./construct.js";
import type { Ref } from "./ref.js";
import { Resource, type ResourceOptions } from "./resource.js";

export interface NetworkProps {
  /** The engine's name. Default `<stack>_<id>` (compose style). */
  name?: string;
  driver?: "bridge" | "macvlan";
  /** CIDR, e.g. "10.30.0.0/24"; chosen from the pool when absent. */
  subnet?: string;
  gateway?: string;
  /** Where dynamic addresses come from, inside the subnet. */
  ipRange?: string;
  /** No route out of the network. */
  internal?: boolean;
  labels?: Record<string, string>;
  options?: Record<string, string>;
  /** macvlan: the parent interface and an optional VLAN id. */
  parent?: string;
  vlan?: number;
}

/** A user network (`docker network create`). */
export class Network extends Resource {
  readonly resourceType = "network" as const;
  // Private members make the class nominal: a Volume is not a Network to the type checker.
  private readonly networkProps: NetworkProps;

  constructor(scope: Construct, id: string, props: NetworkProps = {}, options?: ResourceOptions) {
    super(scope, id, options);
    this.networkProps = props;
  }

  get rawProps(): NetworkProps {
    return this.networkProps;
  }

  get id(): Ref<string> {
    return this.ref("id");
  }
  get name(): Ref<string> {
    return this.ref("name");
  }
  get subnet(): Ref<string> {
    return this.ref("subnet");
  }
  get gateway(): Ref<string> {
    return this.ref("gateway");
  }
}
