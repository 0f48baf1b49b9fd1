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
    yield "route_tables", [t.id for t in backend.route_tables.values() if t.main_association_id is None]


def _elbv2_items(backend):
    yield "load_balancers", [lb.arn for lb in backend.load_balancers.values()]
    yield "target_groups", [tg.arn for tg in backend.target_groups.values()]
    yield "listeners", [l.arn for lb in backend.load_balancers.values() for l in lb.listeners.values()]


def _rds_items(backend):
    yield "db_instances", [d.db_instance_identifier for d in backend.databases.values()
                           if getattr(d, "status", "") != "deleted"]
    yield "db_proxies", list(backend.db_proxies)
    yield "db_subnet_groups", [n for n in backend.subnet_groups if n != "default"]
    # RDS makes `default.<family>` groups itself, on first use.
    yield "db_parameter_groups", [n for n in backend.db_parameter_groups if not n.startswith("default.")]


def _glue_items(backend):
    yield "glue_connections", list(backend.connections)


def _iam_items(backend):
    yield "iam_roles", [r.name for r in backend.roles.values()]


def _secrets_items(backend):
    # A secret scheduled for deletion is no longer live (AWS lists it only on request).
    yield "secrets", [s.name for s in dict.values(backend.secrets) if getattr(s, "deleted_date", None) is None]


def _route53_items(backend):
    from .ext.route53 import hosted_zones
    yield "hosted_zones", hosted_zones(backend)


def _sources():
    from moto.ec2.models import ec2_backends
    from moto.elbv2.models import elbv2_backends
    from moto.glue.models import glue_backends
    from moto.iam.models import iam_backends
    from moto.rds.models import rds_backends
    from moto.route53.models import route53_backends
    from moto.secretsmanager.models import secretsmanager_backends
    return [(ec2_backends, _ec2_items), (elbv2_backends, _elbv2_items), (rds_backends, _rds_items),
            (glue_backends, _glue_items), (iam_backends, _iam_items), (secretsmanager_backends, _secrets_items),
            (route53_backends, _route53_items)]


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
