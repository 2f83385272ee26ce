// A stack that builds its own image from app/Dockerfile and runs it on localhost:8081.
// Edit app/site/index.html and `infra plan` shows the image rebuilt and the container replaced;
// with no change, the plan is empty. `infra plan` never builds: `infra apply` does.
import { Container, Image, defineStack } from "infra";

export default defineStack((stack) => {
  const site = new Image(stack, "site", {
    name: "localhost/build-image-site:latest",
    build: { context: "./app", dockerfile: "Dockerfile" },
  });

  new Container(stack, "web", {
    image: site,
    ports: ["8081:80"],
    restart: "unless-stopped",
  });

  stack.output("url", "http://localhost:8081/");
  stack.output("imageId", site.id);
});
