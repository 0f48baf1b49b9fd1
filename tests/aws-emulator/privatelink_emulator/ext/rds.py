"""Private IPs for RDS DB instances and RDS Proxies, for the emulator's DNS server.

In AWS an instance's endpoint hostname resolves to the private IP of its ENI in one subnet
of its DB subnet group, and a proxy's endpoint to ENIs in its VpcSubnetIds
(https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_VPC.WorkingWithRDSInstanceinaVPC.html,
https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-proxy-network-prereqs.html).
moto gives neither any address, so we allocate them from the subnets' CIDRs."""


class _IpOwner:
    """Stands in for the ENI in moto's per-subnet address bookkeeping."""

    def __init__(self, name):
        self.id = name


def _ec2(account, region):
    from moto.ec2.models import ec2_backends
    return ec2_backends[account][region]


def _allocate(resource, subnets, count):
    """Addresses for the resource's ENIs; remembers their subnets (DeleteSubnet checks them)."""
    owner = _IpOwner(getattr(resource, "db_instance_identifier", None) or resource.db_proxy_name)
    resource._emulator_subnet_ids = [subnet.id for subnet in subnets[:count]]
    return [subnet.get_available_subnet_ip(owner) for subnet in subnets[:count]]


def _instance_subnets(db):
    group = getattr(db, "db_subnet_group", None)
    subnets = list(getattr(group, "_subnets", None) or [])
    same_zone = [s for s in subnets if s.availability_zone == db.availability_zone]
    if same_zone or subnets:
        return same_zone or subnets
    # No subnet group: AWS places the instance in the default VPC's subnet of its zone.
    default = _ec2(db.account_id, db.region).get_default_subnets().get(db.availability_zone)
    return [default] if default else []


def instance_addresses(db):
    if getattr(db, "_emulator_ips", None) is None:
        db._emulator_ips = _allocate(db, _instance_subnets(db), 1)
    return db._emulator_ips


def proxy_addresses(proxy):
    if getattr(proxy, "_emulator_ips", None) is None:
        ec2 = _ec2(proxy.account_id, proxy.region)
        subnets = ec2.describe_subnets(subnet_ids=proxy.vpc_subnet_ids)
        proxy._emulator_ips = _allocate(proxy, subnets, 2)
    return proxy._emulator_ips


def live_resources():
    """Yields (account, region, kind, resource) for every instance and proxy."""
    from moto.rds.models import rds_backends
    for account, region, backend in rds_backends.iter_backends():
        for db in list(backend.databases.values()):
            if getattr(db, "status", "") != "deleted":
                yield account, region, "db_instance", db
        for proxy in list(backend.db_proxies.values()):
            yield account, region, "db_proxy", proxy


def hostnames():
    """Maps each live instance/proxy endpoint hostname to its private addresses."""
    records = {}
    for _account, _region, kind, resource in live_resources():
        if kind == "db_instance":
            records[resource.address] = instance_addresses(resource)
        else:
            records[resource.endpoint] = proxy_addresses(resource)
    return records


def install():
    """Allocate addresses at creation so they are stable from the first lookup on."""
    from moto.rds.models import RDSBackend

    original_instance = RDSBackend.create_db_instance
    original_proxy = RDSBackend.create_db_proxy

    def create_db_instance(self, *args, **kwargs):
        db = original_instance(self, *args, **kwargs)
        instance_addresses(db)
        return db

    def create_db_proxy(self, *args, **kwargs):
        proxy = original_proxy(self, *args, **kwargs)
        proxy_addresses(proxy)
        return proxy

    RDSBackend.create_db_instance = create_db_instance
    RDSBackend.create_db_proxy = create_db_proxy


def _default_proxy_endpoint(proxy):
    """The proxy's default read/write endpoint, as DescribeDBProxyEndpoints lists it
    (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DBProxyEndpoint.html)."""
    return {
        "DBProxyEndpointName": "default",
        "DBProxyEndpointArn": proxy.arn.replace(":db-proxy:", ":db-proxy-endpoint:"),
        "DBProxyName": proxy.db_proxy_name,
        "Status": "available",
        "VpcId": proxy.vpc_id,
        "VpcSecurityGroupIds": list(proxy.vpc_security_group_ids),
        "VpcSubnetIds": list(proxy.vpc_subnet_ids),
        "Endpoint": proxy.endpoint,
        "CreatedDate": proxy.created_date,
        "TargetRole": "READ_WRITE",
        "IsDefault": True,
    }


def install_responses():
    """moto 5.2.5 has no DescribeDBProxyEndpoints (HTTP 500); list each proxy's default endpoint."""
    from moto.core.responses import ActionResult
    from moto.rds.exceptions import RDSClientError
    from moto.rds.responses import RDSResponse

    def describe_db_proxy_endpoints(self):
        name = self.params.get("DBProxyName")
        proxies = [p for p in self.backend.db_proxies.values() if name in (None, p.db_proxy_name)]
        if name and not proxies:
            raise RDSClientError("DBProxyNotFoundFault", f"The specified proxy name {name} doesn't exist.")
        return ActionResult({"DBProxyEndpoints": [_default_proxy_endpoint(p) for p in proxies]})

    RDSResponse.describe_db_proxy_endpoints = describe_db_proxy_endpoints
