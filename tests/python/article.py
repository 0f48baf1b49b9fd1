"""The article's flow as the two example stacks run it (examples/producer, examples/consumer),
shared by the end-to-end test and the demo: the three resources' inputs, each resource driven
through the engine's lifecycle, the Glue connection the consumer's ETL job uses, and what AWS
says about the pieces."""

from lifecycle import ManagedResource
from privatelink_emulator.client import CONSUMER, PRODUCER

PRODUCER_TYPE = "privatelink:index:PrivateLinkProducer"
CONSUMER_TYPE = "privatelink:index:PrivateLinkConsumer"
ACCEPTANCE_TYPE = "privatelink:index:EndpointAcceptance"
CONSUMER_ROOT = f"arn:aws:iam::{CONSUMER}:root"
PORT = 5432
DATABASE = "sales"
GLUE_CONNECTION = "sales-db"


def producer_inputs(producer_network, consumer_network, **changes):
    """examples/producer: the RDS Proxy behind the service, open to the consumer account's VPC."""
    return {"vpcId": producer_network["vpc_id"], "subnetIds": producer_network["subnet_ids"], "port": PORT,
            "targetHostname": producer_network["proxy_endpoint"], "allowedPrincipals": [CONSUMER_ROOT],
            "allowedCidrs": [consumer_network["vpc_cidr"]], **changes}


def consumer_inputs(consumer_network, service_name, **changes):
    """examples/consumer's endpoint: only the Glue connection's security group may reach it."""
    return {"serviceName": service_name, "vpcId": consumer_network["vpc_id"],
            "subnetIds": consumer_network["subnet_ids"], "port": PORT,
            "allowedSecurityGroupIds": [consumer_network["glue_sg_id"]],
            "jdbc": {"engine": "postgresql", "database": DATABASE}, **changes}


def acceptance_inputs(service_id, endpoint_id):
    return {"serviceId": service_id, "endpointId": endpoint_id}


class ArticleStacks:
    """The resources of both example stacks, each driven by the provider instance the engine
    would use: the producer stack's (producer account), the consumer stack's default provider
    (consumer account) and its explicit `producerAccount` provider for the acceptance (a plugin
    process of its own, as the engine starts one per provider)."""

    def __init__(self, start_session):
        """start_session(account) -> a configured ProviderSession."""
        self.producer = ManagedResource(start_session(PRODUCER), PRODUCER_TYPE, "db")
        self.endpoint = ManagedResource(start_session(CONSUMER), CONSUMER_TYPE, "endpoint")
        self.acceptance = ManagedResource(start_session(PRODUCER), ACCEPTANCE_TYPE, "acceptance")

    def resources(self):
        """Creation order; the consumer stack's two resources depend on the producer's outputs."""
        return [self.producer, self.endpoint, self.acceptance]


def create_glue_connection(emulator, consumer_network, jdbc_url, name=GLUE_CONNECTION):
    """The article's last console step: a Glue JDBC connection (consumer account) through the
    endpoint, in the Glue security group. Answers the connection as Glue describes it."""
    glue = emulator.client("glue", CONSUMER)
    glue.create_connection(ConnectionInput={
        "Name": name, "ConnectionType": "JDBC",
        "ConnectionProperties": {"JDBC_CONNECTION_URL": jdbc_url, "USERNAME": "etl", "PASSWORD": "etl-password"},
        "PhysicalConnectionRequirements": {"SubnetId": consumer_network["subnet_ids"][0],
                                           "SecurityGroupIdList": [consumer_network["glue_sg_id"]],
                                           "AvailabilityZone": "us-east-1a"}})
    return glue.get_connection(Name=name)["Connection"]


def delete_glue_connection(emulator, name=GLUE_CONNECTION):
    emulator.client("glue", CONSUMER).delete_connection(ConnectionName=name)


def glue_connection_names(emulator):
    return [c["Name"] for c in emulator.client("glue", CONSUMER).get_connections()["ConnectionList"]]


def security_group_rules(emulator, account, group_id):
    """{"ingress": {(protocol, from, to, peer)}, "egress": {...}}, a peer being a CIDR or a group id."""
    group = emulator.client("ec2", account).describe_security_groups(GroupIds=[group_id])["SecurityGroups"][0]

    def rules(permissions):
        return {(p["IpProtocol"], p.get("FromPort"), p.get("ToPort"), peer)
                for p in permissions
                for peer in [r["CidrIp"] for r in p.get("IpRanges", [])] +
                [r["CidrIpv6"] for r in p.get("Ipv6Ranges", [])] +
                [g["GroupId"] for g in p.get("UserIdGroupPairs", [])] +
                [x["PrefixListId"] for x in p.get("PrefixListIds", [])]}
    return {"ingress": rules(group["IpPermissions"]), "egress": rules(group["IpPermissionsEgress"])}


def endpoint_state(emulator, endpoint_id):
    """The consumer's endpoint as AWS reports it: its State, or None once it is gone."""
    ec2 = emulator.client("ec2", CONSUMER)
    found = ec2.describe_vpc_endpoints(Filters=[{"Name": "vpc-endpoint-id", "Values": [endpoint_id]}])["VpcEndpoints"]
    return found[0]["State"] if found else None


def writes_since(emulator, seq):
    """The AWS write calls (action names) logged after `seq`."""
    return [e["action"] for e in emulator.log(since=seq, write=True)]
