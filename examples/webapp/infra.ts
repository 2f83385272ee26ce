// A web server and a database stand-in on one network, the web page on a volume, published on
// localhost:8080. The web container learns the db's address through an env value.
import { Container, Network, Volume, defineStack } from "infra";

export default defineStack((stack) => {
  const net = new Network(stack, "backend", { labels: { tier: "backend" } });
  const site = new Volume(stack, "site");

  const db = new Container(stack, "db", {
    image: "busybox",
    // Answers every connection on 5432 with a line, like a (very) small database would.
    command: ["sh", "-c", "while true; do echo 'db ready' | nc -l -p 5432; done"],
    network: net,
    restart: "unless-stopped",
  });

  const web = new Container(stack, "web", {
    image: "busybox",
    command: [
      "sh", "-c",
      'echo "<h1>hello from infra</h1><p>db at $DB_ADDR</p>" > /www/index.html && exec httpd -f -p 80 -h /www',
    ],
    env: { DB_ADDR: `${db.ipAddress}:5432` },
    networks: [{ network: net, aliases: ["www"] }],
    ports: ["8080:80"],
    volumes: [{ volume: site, target: "/www" }],
    healthcheck: { test: "wget -q -O /dev/null http://127.0.0.1/", interval: "10s", retries: 3 },
    resources: { memory: "64m" },
    restart: "unless-stopped",
  });

  stack.output("url", "http://localhost:8080/");
  stack.output("dbAddress", db.ipAddress);
  stack.output("webId", web.id);
});
