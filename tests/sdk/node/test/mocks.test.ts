// The generated Node.js SDK (sdk/nodejs), installed as a program installs it, under @pulumi/pulumi's
// setMocks: every resource constructs with every input schema.json lists; what reaches the resource
// monitor is checked (camelCase names, values, the provider's JSON strings and secrets), and every
// output schema.json lists reads back. Run by run.sh after `tsc --strict`.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { before, test } from "node:test";

import * as pulumi from "@pulumi/pulumi";
import * as privatelink from "@pulumi-privatelink/privatelink";

const repo = path.resolve(__dirname, "..", "..", "..", "..", "..");
const schema = JSON.parse(fs.readFileSync(path.join(repo, "schema.json"), "utf8"));
const REF = "#/types/";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
const SIG_KEY = "4dabf18193072939515e22adb298388d";

type Spec = { [key: string]: any };

/** A value of the schema type, as the engine sees it and as a program passes it (camelCase both). */
function sample(spec: Spec, label: string): any {
    if (spec["$ref"]) {
        const props = schema.types[spec["$ref"].slice(REF.length)].properties;
        return Object.fromEntries(Object.entries(props).map(([k, v]) => [k, sample(v as Spec, `${label}.${k}`)]));
    }
    switch (spec.type) {
        case "string": return `${label}-value`;
        case "integer": return 1000 + label.length;
        case "boolean": return true;
        case "array": return [sample(spec.items, `${label}[0]`), sample(spec.items, `${label}[1]`)];
        case "object": return { alpha: sample(spec.additionalProperties, `${label}.alpha`) };
    }
    throw new Error(`no sample for ${JSON.stringify(spec)}`);
}

function resourceSpec(token: string): Spec {
    return token === `pulumi:providers:${schema.name}` ? schema.provider : schema.resources[token];
}

interface Registered { object: Spec; additionalSecretOutputs: string[]; version: string }
const registered = new Map<string, Registered>();

class Mocks implements pulumi.runtime.Mocks {
    newResource(args: pulumi.runtime.MockResourceArgs): { id: string; state: Record<string, any> } {
        if (args.id) {
            // A read by id (`X.get`): the provider returns the resource's state.
            return { id: args.id, state: { endpointId: args.id, state: "available" } };
        }
        const state: Record<string, any> = { ...args.inputs };
        for (const [name, prop] of Object.entries(resourceSpec(args.type).properties ?? {})) {
            if (!(name in state)) {
                state[name] = sample(prop as Spec, `out.${name}`);
            }
        }
        return { id: `${args.name}-id`, state };
    }
    call(args: pulumi.runtime.MockCallArgs): Record<string, any> {
        throw new Error(`unexpected call ${args.token}`);
    }
}

before(async () => {
    await pulumi.runtime.setMocks(new Mocks(), "sdk", "test", false);
    // MockResourceArgs carries inputs with secrets unwrapped; the raw request keeps them.
    const monitor = pulumi.runtime.getMonitor() as any;
    const register = monitor.registerResource.bind(monitor);
    monitor.registerResource = (req: any, callback: any) => {
        registered.set(req.getType(), {
            object: req.getObject().toJavaScript(),
            additionalSecretOutputs: req.getAdditionalsecretoutputsList(),
            version: req.getVersion(),
        });
        return register(req, callback);
    };
});

function valueOf<T>(output: pulumi.Output<T>): Promise<T> {
    return new Promise((resolve) => output.apply(resolve));
}

function unsecret(value: any): [any, boolean] {
    if (value && typeof value === "object" && value[SIG_KEY] === SECRET_SIG) {
        return [value.value, true];
    }
    return [value, false];
}

const constructors: { [name: string]: new (name: string, args: any) => pulumi.CustomResource } = {
    EndpointAcceptance: privatelink.EndpointAcceptance,
    EndpointPrivateDns: privatelink.EndpointPrivateDns,
    PrivateLinkConsumer: privatelink.PrivateLinkConsumer,
    PrivateLinkProducer: privatelink.PrivateLinkProducer,
};

test("every resource of the schema has a class in the SDK", () => {
    const names = Object.keys(schema.resources).map((t) => t.split(":")[2]).sort();
    assert.deepEqual(Object.keys(constructors).sort(), names);
});

for (const token of Object.keys(schema.resources).sort()) {
    const name = token.split(":")[2];
    test(`${name}: every input reaches the engine and every output reads back`, async () => {
        const spec = resourceSpec(token);
        const inputs = Object.fromEntries(
            Object.entries(spec.inputProperties).map(([k, v]) => [k, sample(v as Spec, `in.${k}`)]));
        const resource: any = new constructors[name](`every-${name}`, inputs);
        assert.equal(resource.urn !== undefined, true);
        const outputs = Object.keys(spec.properties);
        const values = await Promise.all(outputs.map((o) => valueOf(resource[o] as pulumi.Output<any>)));
        const sent = registered.get(token);
        assert.ok(sent, `${token} was not registered`);
        assert.equal(sent.version, schema.version ?? readPluginVersion());
        assert.deepEqual(sent.additionalSecretOutputs, []);
        assert.deepEqual(sent.object, inputs);
        outputs.forEach((o, i) => {
            const expected = o in inputs ? inputs[o] : sample(spec.properties[o], `out.${o}`);
            assert.deepEqual(values[i], expected, o);
        });
    });
}

/** The plugin's version: the workspace's in Cargo.toml (schema.json has none). */
function readPluginVersion(): string {
    const cargo = fs.readFileSync(path.join(repo, "Cargo.toml"), "utf8");
    const found = /\[workspace\.package\][^\[]*?\nversion = "([^"]+)"/.exec(cargo);
    assert.ok(found, "no [workspace.package] version in Cargo.toml");
    return found[1];
}

test("package.json carries the plugin's name and version", () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(repo, "sdk", "nodejs", "package.json"), "utf8"));
    assert.equal(manifest.name, schema.language.nodejs.packageName);
    assert.equal(manifest.version, readPluginVersion());
    assert.deepEqual(manifest.pulumi, { resource: true, name: schema.name, version: readPluginVersion() });
});

test("Provider: every config key is sent as a string, assumeRole (it holds externalId) as a secret", async () => {
    const config: Spec = schema.provider.inputProperties;
    assert.deepEqual(Object.keys(config).sort(), Object.keys(schema.config.variables).sort());
    const args = Object.fromEntries(Object.entries(config).map(([k, v]) => [k, sample(v as Spec, `in.${k}`)]));
    const provider = new privatelink.Provider("explicit", args);
    await valueOf(provider.urn);
    const sent = registered.get(`pulumi:providers:${schema.name}`);
    assert.ok(sent);
    for (const [key, prop] of Object.entries(config)) {
        const [value, secret] = unsecret(sent.object[key]);
        assert.equal(typeof value, "string", key);
        const decoded = (prop as Spec).type === "string" ? value : JSON.parse(value);
        assert.deepEqual(decoded, args[key], key);
        assert.equal(secret, key === "assumeRole", key);
    }
    assert.deepEqual(sent.additionalSecretOutputs, ["assumeRole"]);
    assert.equal(privatelink.Provider.isInstance(provider), true);
});

test("config: every key reads back typed from the stack's configuration", () => {
    const variables: Spec = schema.config.variables;
    for (const [key, prop] of Object.entries(variables)) {
        const value = sample(prop as Spec, key);
        pulumi.runtime.setConfig(`${schema.name}:${key}`, typeof value === "string" ? value : JSON.stringify(value));
    }
    for (const [key, prop] of Object.entries(variables)) {
        assert.deepEqual((privatelink.config as any)[key], sample(prop as Spec, key), key);
    }
    const resolvers: string[] | undefined = privatelink.config.dnsResolvers;
    assert.equal(resolvers?.length, 2);
    pulumi.runtime.setAllConfig({});
});

test("get reads a resource by id", async () => {
    const found = privatelink.PrivateLinkConsumer.get("existing", "vpce-0123");
    assert.equal(privatelink.PrivateLinkConsumer.isInstance(found), true);
    assert.equal(privatelink.PrivateLinkProducer.isInstance(found), false);
    assert.deepEqual(
        await valueOf(pulumi.all([found.id, found.endpointId, found.state, found.jdbcUrl])),
        ["vpce-0123", "vpce-0123", "available", undefined]);
});

test("a missing required input throws naming it", () => {
    for (const token of Object.keys(schema.resources)) {
        const spec = resourceSpec(token);
        for (const missing of spec.requiredInputs as string[]) {
            const args = Object.fromEntries(
                (spec.requiredInputs as string[]).filter((k) => k !== missing)
                    .map((k) => [k, sample(spec.inputProperties[k], k)]));
            const ctor = constructors[token.split(":")[2]];
            assert.throws(() => new ctor("r", args), new RegExp(`Missing required property '${missing}'`));
        }
    }
});

test("typed use: nested input types, outputs as inputs, explicit provider", async () => {
    const producerAccount = new privatelink.Provider("producer", {
        region: "eu-west-1",
        assumeRole: { roleArn: "arn:aws:iam::111111111111:role/deploy", externalId: pulumi.secret("x") },
    });
    const producer = new privatelink.PrivateLinkProducer("db", {
        vpcId: "vpc-1",
        subnetIds: ["subnet-1"],
        port: 5432,
        healthCheck: { intervalSeconds: 10 },
    }, { provider: producerAccount });
    const consumer = new privatelink.PrivateLinkConsumer("client", {
        serviceName: producer.serviceName.apply((n) => n ?? ""),
        vpcId: "vpc-2",
        subnetIds: ["subnet-2"],
        port: producer.port,
        jdbc: { engine: "postgresql", database: "app" },
    });
    await valueOf(producerAccount.urn);
    const sent = registered.get(`pulumi:providers:${schema.name}`);
    assert.ok(sent);
    const [role, secret] = unsecret(sent.object.assumeRole);
    assert.equal(secret, true);
    assert.deepEqual(JSON.parse(role), { roleArn: "arn:aws:iam::111111111111:role/deploy", externalId: "x" });
    const connections: pulumi.Output<privatelink.types.output.EndpointConnection[] | undefined> = producer.connections;
    const region: string | undefined = privatelink.config.region;
    assert.equal(await valueOf(consumer.port), 5432);
    assert.equal((await valueOf(connections))?.length, 2);
    const [hc] = await Promise.all([valueOf(producer.healthCheck)]);
    assert.deepEqual(hc, { intervalSeconds: 10 });
});
