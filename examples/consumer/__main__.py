"""The consumer account: Glue's network, and PrivateLink in place of the article's console steps.

A VPC with private subnets in zones the producer's service supports (matched by zone id, the same
in every account, not by name); a Glue security group with the self-referencing rule Glue needs;
an S3 gateway endpoint for Glue's S3 traffic (private and free, instead of the article's NAT); a
PrivateLinkConsumer that only the Glue group can reach; the producer's acceptance of the endpoint
through an explicit provider with the producer account's profile; with `privateDns`, private DNS
turned on after that acceptance (EndpointPrivateDns); and the Glue JDBC connection, its
credentials in a Secrets Manager secret."""

import ipaddress

import pulumi
import pulumi_aws as aws
import pulumi_privatelink as privatelink

config = pulumi.Config()
aws_config = pulumi.Config("aws")
producer = pulumi.StackReference(config.require("producerStack"))
region = aws_config.require("region")
producer_region = config.get("producerRegion") or region
vpc_cidr = ipaddress.ip_network(config.get("vpcCidr") or "10.1.0.0/16")
zone_count = config.get_int("zoneCount") or 2
private_dns = config.get_bool("privateDns") or False
database_user = config.require("databaseUser")
database_password = config.require_secret("databasePassword")
tags = {"project": "glue-to-rds-privatelink", **(config.get_object("tags") or {})}

service_name = producer.require_output("serviceName")
port = producer.require_output("port")
service_zone_ids = producer.require_output("availabilityZoneIds")


def zone_id(index):
    """The index-th zone the service supports, by id (a zone name means another zone in each account)."""
    def pick(ids):
        if len(ids) <= index:
            raise ValueError(f"zoneCount: the service supports {len(ids)} zones ({', '.join(ids)}), "
                             f"fewer than {zone_count}")
        return sorted(ids)[index]
    return service_zone_ids.apply(pick)


vpc = aws.ec2.Vpc("vpc", cidr_block=str(vpc_cidr), enable_dns_support=True, enable_dns_hostnames=True,
                  tags={**tags, "Name": "consumer"})
blocks = list(vpc_cidr.subnets(new_prefix=max(vpc_cidr.prefixlen, 24)))[1:zone_count + 1]
subnets = [aws.ec2.Subnet(f"private-{index}", vpc_id=vpc.id, cidr_block=str(block), availability_zone_id=zone_id(index),
                          map_public_ip_on_launch=False, tags={**tags, "Name": f"consumer-private-{index}"})
           for index, block in enumerate(blocks)]

routes = aws.ec2.RouteTable("private", vpc_id=vpc.id, tags={**tags, "Name": "consumer-private"})
for index, subnet in enumerate(subnets):
    aws.ec2.RouteTableAssociation(f"private-{index}", route_table_id=routes.id, subnet_id=subnet.id)
s3 = aws.ec2.VpcEndpoint("s3", vpc_id=vpc.id, service_name=f"com.amazonaws.{region}.s3",
                         vpc_endpoint_type="Gateway", route_table_ids=[routes.id], tags=tags)

glue_group = aws.ec2.SecurityGroup("glue", vpc_id=vpc.id, description="Glue connection ENIs", tags=tags)
# Glue's job ENIs talk to each other: the group must admit itself on all ports, both ways.
aws.vpc.SecurityGroupIngressRule("glue-from-itself", security_group_id=glue_group.id,
                                 referenced_security_group_id=glue_group.id, ip_protocol="-1",
                                 description="Glue requires a self-referencing rule")
aws.vpc.SecurityGroupEgressRule("glue-to-itself", security_group_id=glue_group.id,
                                referenced_security_group_id=glue_group.id, ip_protocol="-1",
                                description="Glue requires a self-referencing rule")
aws.vpc.SecurityGroupEgressRule("glue-to-s3", security_group_id=glue_group.id, prefix_list_id=s3.prefix_list_id,
                                ip_protocol="tcp", from_port=443, to_port=443, description="S3 through the gateway")

endpoint = privatelink.PrivateLinkConsumer(
    "database", service_name=service_name, service_region=producer_region, vpc_id=vpc.id,
    subnet_ids=[subnet.id for subnet in subnets], port=port, allowed_security_group_ids=[glue_group.id],
    # The proxy's certificate names the proxy's hostname, not the endpoint: that hostname resolves
    # to the endpoint inside this VPC, so Glue can verify TLS (jdbcUrl gets sslmode=verify-full).
    hostname_aliases=[producer.require_output("proxyEndpoint")],
    jdbc={"engine": "postgresql", "database": producer.require_output("databaseName")}, tags=tags)
aws.vpc.SecurityGroupEgressRule("glue-to-database", security_group_id=glue_group.id,
                                referenced_security_group_id=endpoint.security_group_id, ip_protocol="tcp",
                                from_port=port, to_port=port, description="Postgres through the endpoint")

# Accepting is the producer's call: this provider acts with the producer account's credentials.
producer_account = privatelink.Provider("producer-account", profile=config.require("producerProfile"),
                                        region=producer_region)
acceptance = privatelink.EndpointAcceptance(
    "database", service_id=producer.require_output("serviceId"), endpoint_id=endpoint.endpoint_id,
    opts=pulumi.ResourceOptions(provider=producer_account))
if private_dns:
    # AWS turns private DNS on only for an accepted endpoint: the acceptance's endpoint id makes
    # this wait for it, so the same `up` ends with the producer's name resolving here.
    private_dns_name = privatelink.EndpointPrivateDns("database", endpoint_id=acceptance.endpoint_id).private_dns_name

# Glue's copy of a login the database owner gave; deleting it loses nothing, so no recovery window.
credentials = aws.secretsmanager.Secret("glue-database-credentials", tags=tags, recovery_window_in_days=0,
                                        description="The database login of the Glue connection")
aws.secretsmanager.SecretVersion("glue-database-credentials", secret_id=credentials.id,
                                 secret_string=pulumi.Output.json_dumps(
                                     {"username": database_user, "password": database_password}))

connection = aws.glue.Connection(
    "database", connection_type="JDBC", description="The producer's database over PrivateLink",
    connection_properties={"JDBC_CONNECTION_URL": endpoint.jdbc_url, "JDBC_ENFORCE_SSL": "true",
                           "SECRET_ID": credentials.name},
    physical_connection_requirements={"availability_zone": subnets[0].availability_zone,
                                      "security_group_id_lists": [glue_group.id],
                                      "subnet_id": subnets[0].id},
    tags=tags, opts=pulumi.ResourceOptions(depends_on=[acceptance]))

pulumi.export("vpcId", vpc.id)
pulumi.export("endpointId", endpoint.endpoint_id)
pulumi.export("dnsName", endpoint.dns_name)
pulumi.export("jdbcUrl", endpoint.jdbc_url)
pulumi.export("connectionState", acceptance.state)
pulumi.export("glueConnectionName", connection.name)
pulumi.export("glueSecurityGroupId", glue_group.id)
pulumi.export("s3GatewayEndpointId", s3.id)
if private_dns:
    pulumi.export("privateDnsName", private_dns_name)
