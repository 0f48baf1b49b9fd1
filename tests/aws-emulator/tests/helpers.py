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
