/** The stack `infra init` writes: small, runnable on the built-in busybox image, and commented. */
export const STARTER_STACK = `// infra stack: \`infra plan\` shows what would change, \`infra apply\` does it.
import { Container, Network, Volume, defineStack } from "infra";

export default defineStack((stack) => {
  // A private network for the two containers, and a volume for the web content.
  const net = new Network(stack, "app");
  const content = new Volume(stack, "content");

  // A web server on the built-in busybox image, published on http://localhost:8080/.
  const web = new Container(stack, "web", {
    image: "busybox",
    command: ["sh", "-c", "echo 'hello from infra' > /www/index.html && exec httpd -f -p 80 -h /www"],
    network: net,
    ports: ["8080:80"],
    volumes: [{ volume: content, target: "/www" }],
    restart: "unless-stopped",
  });

  // A client that learns the web server's address (known after apply) through an env value.
  new Container(stack, "client", {
    image: "busybox",
    command: ["sh", "-c", "while true; do wget -q -O - \\"$WEB_URL\\"; sleep 30; done"],
    env: { WEB_URL: \`http://\${web.ipAddress}:80/\` },
    network: net,
    restart: "unless-stopped",
  });

  stack.output("url", "http://localhost:8080/");
});
`;
