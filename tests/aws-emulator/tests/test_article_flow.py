"""The article's flow by hand with boto3 across two accounts: a producer (A) exposes Postgres
behind an RDS Proxy through an NLB and an endpoint service that requires acceptance and
allows account B; B creates an interface endpoint; A accepts; deletes in the wrong order are
refused with AWS's errors; in the right order they succeed and nothing is left behind."""
from conftest import CONSUMER, PRODUCER
from helpers import database, endpoint, endpoint_state, error_code, network, security_group


def _producer(emulator, ec2):
    rds, elbv2 = emulator.client("rds", PRODUCER), emulator.client("elbv2", PRODUCER)
    vpc, subnets = network(ec2)
    db_group, nlb_group = security_group(ec2, vpc, "db"), security_group(ec2, vpc, "nlb")
    ec2.authorize_security_group_ingress(GroupId=db_group, IpPermissions=[{
        "IpProtocol": "tcp", "FromPort": 5432, "ToPort": 5432, "UserIdGroupPairs": [{"GroupId": nlb_group}]}])
    _db, proxy = database(rds, subnets, [db_group])
    proxy_ips = emulator.resolve(proxy["Endpoint"])  # the article's `dig`
    lb = elbv2.create_load_balancer(Name="db-nlb", Type="network", Scheme="internal", Subnets=subnets,
                                    SecurityGroups=[nlb_group])["LoadBalancers"][0]["LoadBalancerArn"]
    tg = elbv2.create_target_group(Name="db-proxy", Protocol="TCP", Port=5432, VpcId=vpc,
                                   TargetType="ip")["TargetGroups"][0]["TargetGroupArn"]
    elbv2.register_targets(TargetGroupArn=tg, Targets=[{"Id": ip, "Port": 5432} for ip in proxy_ips])
    listener = elbv2.create_listener(LoadBalancerArn=lb, Protocol="TCP", Port=5432,
                                     DefaultActions=[{"Type": "forward", "TargetGroupArn": tg}])["Listeners"][0]["ListenerArn"]
    svc = ec2.create_vpc_endpoint_service_configuration(NetworkLoadBalancerArns=[lb],
                                                        AcceptanceRequired=True)["ServiceConfiguration"]
    ec2.modify_vpc_endpoint_service_permissions(ServiceId=svc["ServiceId"],
                                                AddAllowedPrincipals=[f"arn:aws:iam::{CONSUMER}:root"])
    return dict(rds=rds, elbv2=elbv2, vpc=vpc, subnets=subnets, db_group=db_group, nlb_group=nlb_group,
                lb=lb, tg=tg, listener=listener, svc=svc)


def test_article_flow_across_two_accounts(emulator, ec2_a, ec2_b):
    a = _producer(emulator, ec2_a)
    service_id, service_name = a["svc"]["ServiceId"], a["svc"]["ServiceName"]

    # Consumer: finds the service, creates a security group and the endpoint.
    assert ec2_b.describe_vpc_endpoint_services(ServiceNames=[service_name])["ServiceDetails"][0]["Owner"] == PRODUCER
    vpc_b, subnets_b = network(ec2_b, "10.1.0.0/16")
    ep_group = security_group(ec2_b, vpc_b, "glue-endpoint")
    ep = endpoint(ec2_b, vpc_b, subnets_b, [ep_group], service_name)["VpcEndpointId"]
    assert endpoint_state(ec2_b, ep) == "pendingAcceptance"

    # Producer accepts and opens the NLB group to the consumer CIDR.
    pending = ec2_a.describe_vpc_endpoint_connections(
        Filters=[{"Name": "vpc-endpoint-state", "Values": ["pendingAcceptance"]}])["VpcEndpointConnections"]
    assert [c["VpcEndpointId"] for c in pending] == [ep]
    assert ec2_a.accept_vpc_endpoint_connections(ServiceId=service_id, VpcEndpointIds=[ep])["Unsuccessful"] == []
    ec2_a.authorize_security_group_ingress(GroupId=a["nlb_group"], IpPermissions=[{
        "IpProtocol": "tcp", "FromPort": 5432, "ToPort": 5432, "IpRanges": [{"CidrIp": "10.1.0.0/16"}]}])
    assert endpoint_state(ec2_b, ep) == "available"

    # Wrong order: every delete is refused with AWS's error.
    unsuccessful = ec2_a.delete_vpc_endpoint_service_configurations(ServiceIds=[service_id])["Unsuccessful"]
    assert unsuccessful[0]["Error"]["Code"] == "ExistingVpcEndpointConnections"
    assert error_code(a["elbv2"].delete_load_balancer, LoadBalancerArn=a["lb"]) == "ResourceInUse"
    assert error_code(ec2_a.delete_security_group, GroupId=a["nlb_group"]) == "DependencyViolation"
    assert error_code(ec2_a.delete_security_group, GroupId=a["db_group"]) == "DependencyViolation"
    assert error_code(ec2_b.delete_security_group, GroupId=ep_group) == "DependencyViolation"
    assert error_code(ec2_b.delete_subnet, SubnetId=subnets_b[0]) == "DependencyViolation"
    assert error_code(ec2_a.delete_subnet, SubnetId=a["subnets"][0]) == "DependencyViolation"
    assert emulator.inventory(CONSUMER)[CONSUMER]["us-east-1"]["vpc_endpoints"] == [f"{ep} (available)"]

    # Right order: consumer first, then the producer from the service down to the network.
    assert ec2_b.delete_vpc_endpoints(VpcEndpointIds=[ep])["Unsuccessful"] == []
    ec2_b.delete_security_group(GroupId=ep_group)
    for subnet in subnets_b:
        ec2_b.delete_subnet(SubnetId=subnet)
    ec2_b.delete_vpc(VpcId=vpc_b)

    assert ec2_a.delete_vpc_endpoint_service_configurations(ServiceIds=[service_id])["Unsuccessful"] == []
    a["elbv2"].delete_listener(ListenerArn=a["listener"])
    a["elbv2"].delete_load_balancer(LoadBalancerArn=a["lb"])
    a["elbv2"].delete_target_group(TargetGroupArn=a["tg"])
    a["rds"].delete_db_proxy(DBProxyName="db-proxy")
    a["rds"].delete_db_instance(DBInstanceIdentifier="db", SkipFinalSnapshot=True)
    a["rds"].delete_db_subnet_group(DBSubnetGroupName="db")
    ec2_a.delete_security_group(GroupId=a["db_group"])
    ec2_a.delete_security_group(GroupId=a["nlb_group"])
    for subnet in a["subnets"]:
        ec2_a.delete_subnet(SubnetId=subnet)
    ec2_a.delete_vpc(VpcId=a["vpc"])

    assert emulator.inventory(PRODUCER) == {}
    assert emulator.inventory(CONSUMER) == {}
