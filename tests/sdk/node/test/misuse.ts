// Mistakes `tsc --strict` must reject in a program using the Node.js SDK (run.sh checks each line
// marked `// error: TSnnnn` is reported with that code, and nothing else).
import * as privatelink from "@pulumi-privatelink/privatelink";

new privatelink.PrivateLinkProducer("p", { vpcId: 1, subnetIds: ["s"], port: 5432 }); // error: TS2322
new privatelink.PrivateLinkProducer("p", { vpc_id: "v", subnetIds: ["s"], port: 5432 }); // error: TS2561
new privatelink.PrivateLinkConsumer("c", { vpcId: "v", subnetIds: ["s"], port: 1 }); // error: TS2345
new privatelink.PrivateLinkProducer("p", { vpcId: "v", subnetIds: ["s"], port: 1, healthCheck: { intervalSeconds: "10" } }); // error: TS2322
const port: string = privatelink.PrivateLinkProducer.get("p", "id").port; // error: TS2322
new privatelink.EndpointAcceptance("a"); // error: TS2554
