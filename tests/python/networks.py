"""The networks the behaviour tests build on, made with boto3 in the emulator by the emulator
suite's own builders: the article's producer VPC with Postgres behind an RDS Proxy, and the
consumer VPC where the ETL tool (Glue) runs."""

import ipaddress
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "aws-emulator" / "tests"))

import helpers  # noqa: E402  (tests/aws-emulator/tests/helpers.py)

ZONES = ("us-east-1a", "us-east-1b")


def producer_network(emulator, account):
    """VPC 10.0.0.0/16, subnets 10.0.1.0/24 (us-east-1a) and 10.0.2.0/24 (us-east-1b), a Postgres
    instance and an RDS Proxy in them; the emulator's DNS answers the proxy's hostname."""
    ec2 = emulator.client("ec2", account)
    vpc, subnets = helpers.network(ec2, "10.0.0.0/16", ZONES)
    db_group = helpers.security_group(ec2, vpc, "db")
    _db, proxy = helpers.database(emulator.client("rds", account), subnets, [db_group], account=account)
    proxy_ips = emulator.resolve(proxy["Endpoint"])
    assert proxy_ips, f"the emulator's DNS does not answer {proxy['Endpoint']}"
    return {"vpc_id": vpc, "subnet_ids": subnets, "vpc_cidr": "10.0.0.0/16", "db_security_group_id": db_group,
            "proxy_endpoint": proxy["Endpoint"], "proxy_ips": sorted(proxy_ips, key=ipaddress.ip_address)}


def consumer_network(emulator, account):
    """VPC 10.1.0.0/16, subnets 10.1.1.0/24 (us-east-1a) and 10.1.2.0/24 (us-east-1b), and the
    security group the Glue connection uses."""
    ec2 = emulator.client("ec2", account)
    vpc, subnets = helpers.network(ec2, "10.1.0.0/16", ZONES)
    return {"vpc_id": vpc, "subnet_ids": subnets, "vpc_cidr": "10.1.0.0/16",
            "glue_sg_id": helpers.security_group(ec2, vpc, "glue")}
