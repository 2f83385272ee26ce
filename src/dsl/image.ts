import type { Construct } from "./construct.js";
import type { Ref } from "./ref.js";
import { Resource, type ResourceOptions } from "./resource.js";

export interface ImageBuildProps {
  /** Build context directory, relative to the stack file's directory or absolute. */
  context: string;
  /** Relative to the context. Default `Dockerfile`. */
  dockerfile?: string;
  args?: Record<string, string>;
  target?: string;
}

export interface ImageProps {
  /**
   * The reference the image is known by (`busybox`, `localhost/app:1`). Default: the id when
   * pulled, `localhost/<stack>-<id>:latest` when built.
   */
  name?: string;
  /** Build from a Dockerfile: a context directory, or the full form. */
  build?: string | ImageBuildProps;
  /** `missing` (default): pull when absent; `always`; `never`. */
  pull?: "missing" | "always" | "never";
  /** Keep the image in the store when the resource is deleted. */
  keepLocally?: boolean;
}

/** An image pulled, imported or built into the engine's store. */
export class Image extends Resource {
  readonly resourceType = "image" as const;
  private readonly imageProps: ImageProps;

  constructor(scope: Construct, id: string, props: ImageProps = {}, options?: ResourceOptions) {
    super(scope, id, options);
    this.imageProps = props;
  }

  get rawProps(): ImageProps {
    return this.imageProps;
  }

  /** The image id: the digest of its config. */
  get id(): Ref<string> {
    return this.ref("id");
  }
  /** The manifest digest. */
  get digest(): Ref<string> {
    return this.ref("digest");
  }
  get name(): Ref<string> {
    return this.ref("name");
  }
}
