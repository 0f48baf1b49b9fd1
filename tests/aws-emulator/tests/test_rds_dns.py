"""RDS instances and proxies get private IPs in their subnets; the emulator's DNS server
answers their endpoint hostnames; the control API can move a hostname (a failover).
AWS: https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-proxy-network-prereqs.html
     https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Concepts.MultiAZ.Failover.html"""
import ipaddress

from conftest import PRODUCER
from helpers import database, network, security_group


def _database(emulator, ec2_a):
    rds = emulator.client("rds", PRODUCER)
    vpc, subnets = network(ec2_a)
    group = security_group(ec2_a, vpc, "db")
    db, proxy = database(rds, subnets, [group], name="orders", zone="us-east-1a")
    return rds, db, proxy, group


def test_instance_and_proxy_hostnames_resolve_to_subnet_addresses(emulator, ec2_a):
    _rds, db, proxy, _group = _database(emulator, ec2_a)
    db_ips = emulator.resolve(db["Endpoint"]["Address"])
    assert len(db_ips) == 1 and ipaddress.ip_address(db_ips[0]) in ipaddress.ip_network("10.0.1.0/24")
    proxy_ips = emulator.resolve(proxy["Endpoint"])
    assert len(proxy_ips) == 2
    assert [ipaddress.ip_address(ip) in ipaddress.ip_network(net) for ip, net in
            zip(proxy_ips, ["10.0.1.0/24", "10.0.2.0/24"])] == [True, True]
    assert emulator.resolve("unknown.example.com") is None


def test_failover_changes_the_answer(emulator, ec2_a):
    _rds, _db, proxy, _group = _database(emulator, ec2_a)
    emulator.call("POST", "/_emulator/dns", {"hostname": proxy["Endpoint"], "addresses": ["10.0.2.77"]})
    assert emulator.resolve(proxy["Endpoint"]) == ["10.0.2.77"]
    records = emulator.call("GET", "/_emulator/dns")["records"]
    assert records[proxy["Endpoint"]] == ["10.0.2.77"]


def test_deleted_instance_no_longer_resolves_and_frees_its_group(emulator, ec2_a):
    rds, db, proxy, group = _database(emulator, ec2_a)
    rds.delete_db_proxy(DBProxyName="orders-proxy")
    rds.delete_db_instance(DBInstanceIdentifier="orders", SkipFinalSnapshot=True)
    assert emulator.resolve(db["Endpoint"]["Address"]) is None
    assert emulator.resolve(proxy["Endpoint"]) is None
    ec2_a.delete_security_group(GroupId=group)


def test_proxy_endpoints_list_the_default_endpoint(emulator, ec2_a):
    rds, _db, proxy, group = _database(emulator, ec2_a)
    endpoints = rds.describe_db_proxy_endpoints(DBProxyName="orders-proxy")["DBProxyEndpoints"]
    assert [(e["DBProxyEndpointName"], e["Endpoint"], e["IsDefault"], e["VpcSecurityGroupIds"]) for e in endpoints] == \
        [("default", proxy["Endpoint"], True, [group])]
