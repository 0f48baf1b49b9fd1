"""DeleteSecurityGroup fails with DependencyViolation while the group is in use
(https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DeleteSecurityGroup.html:
"If you attempt to delete a security group that is associated with an instance or network
interface, is referenced by another security group in the same VPC, or has a VPC association,
the operation fails with DependencyViolation"). moto 5.2.5 deletes it regardless.

In use here means: attached to a live network interface (incl. endpoint ENIs), to a VPC
endpoint, a load balancer, an RDS instance or proxy, referenced by another group's rule, or
held by the ENIs of a recently deleted endpoint/load balancer (see state.Holds)."""
from moto.ec2.exceptions import DependencyViolationError, InvalidSecurityGroupNotFoundError
from moto.ec2.models import EC2Backend

from ..state import HOLDS


def _referencing_group(backend, group_id):
    for groups in backend.groups.values():
        for group in groups.values():
            if group.id == group_id:
                continue
            for rule in list(group.ingress_rules) + list(group.egress_rules):
                if (rule.source_group or {}).get("GroupId") == group_id:
                    return f"rule of security group {group.id}"
    return None


def _interface_user(backend, group_id):
    for eni in backend.enis.values():
        if group_id in [g.id for g in eni._group_set]:
            return f"network interface {eni.id}"
    for endpoint in backend.vpc_end_points.values():
        if endpoint.state != "deleted" and group_id in endpoint.security_group_ids:
            return f"VPC endpoint {endpoint.id}"
    return None


def _load_balancer_user(backend, group_id):
    from moto.elbv2.models import elbv2_backends
    if backend.region_name not in elbv2_backends[backend.account_id]:
        return None
    for lb in elbv2_backends[backend.account_id][backend.region_name].load_balancers.values():
        if group_id in (lb.security_groups or []):
            return f"load balancer {lb.name}"
    return None


def _rds_user(backend, group_id):
    from ..ext import rds
    for account, region, kind, resource in rds.live_resources():
        if (account, region) == (backend.account_id, backend.region_name) \
                and group_id in (resource.vpc_security_group_ids or []):
            return f"{kind} {getattr(resource, 'db_instance_identifier', None) or resource.db_proxy_name}"
    return None


def dependent_of(backend, group_id):
    """A description of what still uses the group, or None."""
    return (_referencing_group(backend, group_id)
            or _interface_user(backend, group_id)
            or _load_balancer_user(backend, group_id)
            or _rds_user(backend, group_id)
            or HOLDS.holder_of(backend.account_id, backend.region_name, group_id))


def install():
    original = EC2Backend.delete_security_group

    def delete_security_group(self, name=None, group_id=None):
        group = self.get_security_group_from_id(group_id) if group_id else \
            self.get_security_group_by_name_or_id(name)
        if group is None:
            raise InvalidSecurityGroupNotFoundError(group_id or name)
        if dependent_of(self, group.id):
            raise DependencyViolationError(f"resource {group.id} has a dependent object")
        return original(self, name=name, group_id=group_id)

    EC2Backend.delete_security_group = delete_security_group
