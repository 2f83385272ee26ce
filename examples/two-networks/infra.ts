// The classic three-container topology: c1 and c2 share network "front", c2 and c3 share "back".
// c2 reaches both; c1 and c3 cannot reach each other.
import { Container, Network, defineStack } from "infra";

export default defineStack((stack) => {
  const front = new Network(stack, "front", { subnet: "172.31.10.0/24" });
  const back = new Network(stack, "back", { subnet: "172.31.20.0/24", internal: true });

  const idle = ["sh", "-c", "exec sleep 3600"];
  new Container(stack, "c1", { image: "busybox", command: idle, network: front });
  new Container(stack, "c2", {
    image: "busybox",
    command: idle,
    networks: [front, { network: back, ipv4Address: "172.31.20.10" }],
  });
  new Container(stack, "c3", { image: "busybox", command: idle, network: back });
});
