import type { Construct } from "./construct.js";
import type { Ref } from "./ref.js";
import { Resource, type ResourceOptions } from "./resource.js";

export interface VolumeProps {
  /** The engine's name. Default `<stack>_<id>` (compose style). */
  name?: string;
  driver?: "local";
  labels?: Record<string, string>;
  driverOpts?: Record<string, string>;
}

/** A named volume (`docker volume create`). */
export class Volume extends Resource {
  readonly resourceType = "volume" as const;
  // Private members make the class nominal: a Network is not a Volume to the type checker.
  private readonly volumeProps: VolumeProps;

  constructor(scope: Construct, id: string, props: VolumeProps = {}, options?: ResourceOptions) {
    super(scope, id, options);
    this.volumeProps = props;
  }

  get rawProps(): VolumeProps {
    return this.volumeProps;
  }

  get id(): Ref<string> {
    return this.ref("id");
  }
  get name(): Ref<string> {
    return this.ref("name");
  }
  get mountpoint(): Ref<string> {
    return this.ref("mountpoint");
  }
}
