import type { Protocol } from "../graph/specs.js";
import type { Construct } from "./construct.js";
import type { ContainerProps } from "./container-props.js";
import type { Ref } from "./ref.js";
import { Resource, type ResourceOptions } from "./resource.js";

/** A container (`docker run`). */
export class Container extends Resource {
  readonly resourceType = "container" as const;
  private readonly containerProps: ContainerProps;

  constructor(scope: Construct, id: string, props: ContainerProps, options?: ResourceOptions) {
    super(scope, id, options);
    this.containerProps = props;
  }

  get rawProps(): ContainerProps {
    return this.containerProps;
  }

  get id(): Ref<string> {
    return this.ref("id");
  }
  /** The engine's name of the container. */
  get name(): Ref<string> {
    return this.ref("name");
  }
  /** First IPv4 address on its first network. */
  get ipAddress(): Ref<string> {
    return this.ref("ipAddress");
  }
  /** Its address on one network (by engine name). */
  ipAddressOn(networkName: string): Ref<string> {
    return this.ref(`ipAddresses.${networkName}`);
  }
  get imageId(): Ref<string> {
    return this.ref("imageId");
  }
  /** The host port a published container port got (random ones are known after apply). */
  hostPort(containerPort: number, protocol: Protocol = "tcp"): Ref<number> {
    return this.ref(`hostPorts.${containerPort}/${protocol}`);
  }
}
