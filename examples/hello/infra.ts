// The smallest stack: one container on the built-in busybox image, printing a greeting and staying up.
import { Container, defineStack } from "infra";

export default defineStack((stack) => {
  new Container(stack, "hello", {
    image: "busybox",
    command: ["sh", "-c", "echo 'hello from infra'; exec sleep 3600"],
    restart: "unless-stopped",
  });
});
