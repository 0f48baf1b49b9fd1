"""The producer account: the article's database stack, and PrivateLink in place of its console steps.

A VPC with private subnets in `zoneCount` zones; Postgres 16 (encrypted, private, its master
password made by RDS and kept in Secrets Manager) behind an RDS Proxy that requires TLS and may read
only that one secret; and a PrivateLinkProducer that puts the proxy behind a Network Load Balancer
and an endpoint service open to the consumer account alone. Every security group admits one peer on
one port: the database the proxy, the proxy the load balancer."""

import ipaddress
import json

import pulumi
import pulumi_aws as aws
import pulumi_privatelink as privatelink

config = pulumi.Config()
consumer_account = config.require("consumerAccountId")
consumer_cidr = config.require("consumerCidr")
vpc_cidr = ipaddress.ip_network(config.get("vpcCidr") or "10.0.0.0/16")
zone_count = config.get_int("zoneCount") or 2
port = config.get_int("port") or 5432
database_name = config.get("databaseName") or "sales"
database_user = config.get("databaseUser") or "sales_admin"
instance_class = config.get("instanceClass") or "db.t4g.micro"
private_dns_name = config.get("privateDnsName") or None
tags = {"project": "glue-to-rds-privatelink", **(config.get_object("tags") or {})}

if zone_count < 2:
    raise ValueError("zoneCount: an RDS Proxy and a DB subnet group need subnets in two zones at least")

vpc = aws.ec2.Vpc("vpc", cidr_block=str(vpc_cidr), enable_dns_support=True, enable_dns_hostnames=True,
                  tags={**tags, "Name": "producer"})

zones = aws.get_availability_zones(state="available")
if len(zones.names) < zone_count:
    raise ValueError(f"zoneCount: the region has {len(zones.names)} zones, fewer than {zone_count}")
# One /24 a zone, after the first: 10.0.1.0/24, 10.0.2.0/24, ...
blocks = list(vpc_cidr.subnets(new_prefix=max(vpc_cidr.prefixlen, 24)))[1:zone_count + 1]
subnets = [aws.ec2.Subnet(f"private-{zone}", vpc_id=vpc.id, cidr_block=str(block), availability_zone=zone,
                          map_public_ip_on_launch=False, tags={**tags, "Name": f"producer-private-{zone}"})
           for zone, block in zip(zones.names, blocks)]
subnet_ids = [subnet.id for subnet in subnets]

db_subnets = aws.rds.SubnetGroup("database", subnet_ids=subnet_ids, tags=tags)

# Groups without inline rules: pulumi-aws then removes AWS's allow-all egress, and each rule
# below is a resource of its own, so the two groups can name each other.
database_group = aws.ec2.SecurityGroup("database", vpc_id=vpc.id, description="Postgres: the RDS Proxy only",
                                       tags=tags)
proxy_group = aws.ec2.SecurityGroup("proxy", vpc_id=vpc.id, description="RDS Proxy: the PrivateLink NLB only",
                                    tags=tags)
aws.vpc.SecurityGroupIngressRule("database-from-proxy", security_group_id=database_group.id,
                                 referenced_security_group_id=proxy_group.id, ip_protocol="tcp",
                                 from_port=port, to_port=port, description="Postgres from the proxy")
aws.vpc.SecurityGroupEgressRule("proxy-to-database", security_group_id=proxy_group.id,
                                referenced_security_group_id=database_group.id, ip_protocol="tcp",
                                from_port=port, to_port=port, description="Postgres to the database")

parameters = aws.rds.ParameterGroup("postgres16", family="postgres16", description="Postgres 16, TLS only",
                                    parameters=[{"name": "rds.force_ssl", "value": "1"}], tags=tags)

database = aws.rds.Instance(
    "database", engine="postgres", engine_version="16", instance_class=instance_class, allocated_storage=20,
    db_name=database_name, username=database_user, manage_master_user_password=True, port=port,
    storage_encrypted=True, publicly_accessible=False, db_subnet_group_name=db_subnets.name,
    vpc_security_group_ids=[database_group.id], parameter_group_name=parameters.name,
    backup_retention_period=7, skip_final_snapshot=True, tags=tags)
secret_arn = database.master_user_secrets.apply(lambda secrets: secrets[0].secret_arn)

proxy_role = aws.iam.Role("proxy", description="RDS Proxy: reads the database's master secret", tags=tags,
                          assume_role_policy=json.dumps({"Version": "2012-10-17", "Statement": [{
                              "Effect": "Allow", "Action": "sts:AssumeRole",
                              "Principal": {"Service": "rds.amazonaws.com"}}]}))
aws.iam.RolePolicy("proxy-reads-secret", role=proxy_role.id,
                   policy=secret_arn.apply(lambda arn: json.dumps({"Version": "2012-10-17", "Statement": [{
                       "Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": arn}]})))

proxy = aws.rds.Proxy(
    "proxy", engine_family="POSTGRESQL", require_tls=True, role_arn=proxy_role.arn, vpc_subnet_ids=subnet_ids,
    vpc_security_group_ids=[proxy_group.id], idle_client_timeout=1800, tags=tags,
    auths=[{"auth_scheme": "SECRETS", "secret_arn": secret_arn, "iam_auth": "DISABLED",
            "client_password_auth_type": "POSTGRES_SCRAM_SHA_256"}])
target_group = aws.rds.ProxyDefaultTargetGroup("proxy", db_proxy_name=proxy.name,
                                               connection_pool_config={"max_connections_percent": 90})
target = aws.rds.ProxyTarget("database", db_proxy_name=proxy.name, target_group_name=target_group.name,
                             db_instance_identifier=database.identifier)

service = privatelink.PrivateLinkProducer(
    "database", vpc_id=vpc.id, subnet_ids=subnet_ids, port=port, target_hostname=proxy.endpoint,
    allowed_principals=[f"arn:aws:iam::{consumer_account}:root"], allowed_cidrs=[consumer_cidr], tags=tags,
    private_dns_name=private_dns_name, opts=pulumi.ResourceOptions(depends_on=[target]))

aws.vpc.SecurityGroupIngressRule("proxy-from-privatelink", security_group_id=proxy_group.id,
                                 referenced_security_group_id=service.security_group_id, ip_protocol="tcp",
                                 from_port=port, to_port=port, description="Postgres from the PrivateLink NLB")

pulumi.export("serviceName", service.service_name)
pulumi.export("serviceId", service.service_id)
pulumi.export("availabilityZoneIds", service.availability_zone_ids)
pulumi.export("port", port)
pulumi.export("proxyEndpoint", proxy.endpoint)
pulumi.export("databaseName", database_name)
pulumi.export("databaseUser", database_user)
pulumi.export("databaseSecretArn", secret_arn)
pulumi.export("connections", service.connections)
pulumi.export("privateDnsName", private_dns_name or "")
if private_dns_name:
    # The TXT record to publish in the domain's public DNS; AWS checks it when asked to.
    pulumi.export("privateDnsVerification", service.private_dns_verification)
