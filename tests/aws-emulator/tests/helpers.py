"""Builders for the article's producer and consumer pieces."""
from botocore.exceptions import ClientError


def network(ec2, cidr="10.0.0.0/16", zones=("us-east-1a", "us-east-1b")):
    vpc = ec2.create_vpc(CidrBlock=cidr)["Vpc"]["VpcId"]
    base = cidr.split(".")
    subnets = [ec2.create_subnet(VpcId=vpc, AvailabilityZone=zone,
                                 CidrBlock=f"{base[0]}.{base[1]}.{i + 1}.0/24")["Subnet"]["SubnetId"]
               for i, zone in enumerate(zones)]
    return vpc, subnets


def security_group(ec2, vpc, name):
    return ec2.create_security_group(GroupName=name, Description=name, VpcId=vpc)["GroupId"]


def database(rds, subnets, groups, name="db", account="111111111111", zone=None):
    """A Postgres instance (subnet group `name`, instance `name`) and an RDS Proxy `<name>-proxy` in
    front of it, in `subnets`; the emulator's DNS server answers both endpoint hostnames.
    Answers (instance, proxy) as RDS describes them."""
    rds.create_db_subnet_group(DBSubnetGroupName=name, DBSubnetGroupDescription=name, SubnetIds=subnets)
    placement = {"AvailabilityZone": zone} if zone else {}
    db = rds.create_db_instance(DBInstanceIdentifier=name, Engine="postgres", DBInstanceClass="db.t3.micro",
                                MasterUsername="admin", MasterUserPassword="password1", AllocatedStorage=20,
                                DBSubnetGroupName=name, VpcSecurityGroupIds=list(groups), **placement)["DBInstance"]
    proxy = rds.create_db_proxy(DBProxyName=f"{name}-proxy", EngineFamily="POSTGRESQL",
                                Auth=[{"AuthScheme": "SECRETS",
                                       "SecretArn": f"arn:aws:secretsmanager:us-east-1:{account}:secret:{name}"}],
                                RoleArn=f"arn:aws:iam::{account}:role/{name}-proxy", VpcSubnetIds=list(subnets),
                                VpcSecurityGroupIds=list(groups))["DBProxy"]
    return db, proxy


def nlb(elbv2, subnets, groups, name="db-nlb"):
    return elbv2.create_load_balancer(Name=name, Type="network", Scheme="internal", Subnets=subnets,
                                      SecurityGroups=groups)["LoadBalancers"][0]["LoadBalancerArn"]


def service(ec2, nlb_arn, acceptance=True, principals=()):
    config = ec2.create_vpc_endpoint_service_configuration(
        NetworkLoadBalancerArns=[nlb_arn], AcceptanceRequired=acceptance)["ServiceConfiguration"]
    if principals:
        ec2.modify_vpc_endpoint_service_permissions(ServiceId=config["ServiceId"],
                                                    AddAllowedPrincipals=list(principals))
    return config


def endpoint(ec2, vpc, subnets, groups, service_name):
    return ec2.create_vpc_endpoint(VpcEndpointType="Interface", VpcId=vpc, ServiceName=service_name,
                                   SubnetIds=subnets, SecurityGroupIds=groups)["VpcEndpoint"]


def endpoint_state(ec2, endpoint_id):
    return ec2.describe_vpc_endpoints(VpcEndpointIds=[endpoint_id])["VpcEndpoints"][0]["State"]


def error_code(call, *args, **kwargs):
    try:
        call(*args, **kwargs)
    except ClientError as error:
        return error.response["Error"]["Code"]
    return None
