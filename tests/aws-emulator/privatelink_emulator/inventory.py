"""Live (not deleted) resources per account and region, for orphan checks.

moto's /moto-api/data.json also lists deleted objects and every default; this lists only what
a stack could have created: no default VPC/subnets/security groups, no deleted endpoints."""
from collections import defaultdict


def _ec2_items(backend):
    yield "vpcs", [v.id for v in backend.vpcs.values() if not v.is_default]
    defaults = {v.id for v in backend.vpcs.values() if v.is_default}
    yield "subnets", [s.id for zone in backend.subnets.values() for s in zone.values() if s.vpc_id not in defaults]
    yield "security_groups", [g.id for gs in backend.groups.values() for g in gs.values() if g.name != "default"]
    yield "vpc_endpoints", [f"{e.id} ({e.state})" for e in backend.vpc_end_points.values() if e.state != "deleted"]
    yield "vpc_endpoint_services", list(backend.configurations)
    yield "network_interfaces", [e.id for e in backend.enis.values()]


def _elbv2_items(backend):
    yield "load_balancers", [lb.arn for lb in backend.load_balancers.values()]
    yield "target_groups", [tg.arn for tg in backend.target_groups.values()]
    yield "listeners", [l.arn for lb in backend.load_balancers.values() for l in lb.listeners.values()]


def _rds_items(backend):
    yield "db_instances", [d.db_instance_identifier for d in backend.databases.values()
                           if getattr(d, "status", "") != "deleted"]
    yield "db_proxies", list(backend.db_proxies)
    yield "db_subnet_groups", [n for n in backend.subnet_groups if n != "default"]


def _glue_items(backend):
    yield "glue_connections", list(backend.connections)


def _route53_items(backend):
    from .ext.route53 import hosted_zones
    yield "hosted_zones", hosted_zones(backend)


def _sources():
    from moto.ec2.models import ec2_backends
    from moto.elbv2.models import elbv2_backends
    from moto.glue.models import glue_backends
    from moto.rds.models import rds_backends
    from moto.route53.models import route53_backends
    return [(ec2_backends, _ec2_items), (elbv2_backends, _elbv2_items), (rds_backends, _rds_items),
            (glue_backends, _glue_items), (route53_backends, _route53_items)]


def collect(account=None):
    """{account: {region: {kind: [ids]}}} with empty kinds, regions and accounts left out.
    Caller holds state.LOCK."""
    result = defaultdict(lambda: defaultdict(dict))
    for backends, items in _sources():
        for acct, region, backend in backends.iter_backends():
            if account and acct != account:
                continue
            for kind, ids in items(backend):
                if ids:
                    result[acct][region][kind] = sorted(ids)
    return {a: dict(regions) for a, regions in result.items()}
