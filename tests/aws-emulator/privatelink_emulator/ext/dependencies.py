"""Deletes that AWS refuses with DependencyViolation while network interfaces or rules use
the resource; moto 5.2.5 deletes regardless.

- DeleteSecurityGroup (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DeleteSecurityGroup.html):
  "If you attempt to delete a security group that is associated with an instance or network
  interface, is referenced by another security group in the same VPC, or has a VPC
  association, the operation fails with DependencyViolation."
- DeleteSubnet (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DeleteSubnet.html):
  "You must terminate all running instances in the subnet before you can delete the subnet"
  (a subnet with network interfaces answers DependencyViolation).

Users counted here: live network interfaces (endpoint ENIs included), VPC endpoints, load
balancers, RDS instances and proxies, other groups' rules, and the ENIs of a recently deleted
endpoint or load balancer (state.Holds, released after `eni_release` seconds)."""
from moto.ec2.exceptions import DependencyViolationError, InvalidSecurityGroupNotFoundError
from moto.ec2.models import EC2Backend

from ..state import HOLDS


def _load_balancers(backend):
    from moto.elbv2.models import elbv2_backends
    if backend.region_name not in elbv2_backends[backend.account_id]:
        return []
    return list(elbv2_backends[backend.account_id][backend.region_name].load_balancers.values())


def _rds_resources(backend):
    from . import rds
    return [resource for account, region, _kind, resource in rds.live_resources()
            if (account, region) == (backend.account_id, backend.region_name)]


def _live_endpoints(backend):
    return [e for e in backend.vpc_end_points.values() if e.state != "deleted"]


def group_in_use(backend, group_id):
    for groups in backend.groups.values():
        for group in groups.values():
            rules = list(group.ingress_rules) + list(group.egress_rules)
            if group.id != group_id and any((r.source_group or {}).get("GroupId") == group_id for r in rules):
                return True
    return (any(group_id in [g.id for g in eni._group_set] for eni in backend.enis.values())
            or any(group_id in e.security_group_ids for e in _live_endpoints(backend))
            or any(group_id in (lb.security_groups or []) for lb in _load_balancers(backend))
            or any(group_id in (r.vpc_security_group_ids or []) for r in _rds_resources(backend))
            or HOLDS.holder_of(backend.account_id, backend.region_name, group_id) is not None)


def subnet_in_use(backend, subnet_id):
    return (any(eni.subnet is not None and eni.subnet.id == subnet_id for eni in backend.enis.values())
            or any(subnet_id in (e.subnet_ids or []) for e in _live_endpoints(backend))
            or any(subnet_id in [s.id for s in lb.subnets] for lb in _load_balancers(backend))
            or any(subnet_id in getattr(r, "_emulator_subnet_ids", []) for r in _rds_resources(backend))
            or HOLDS.holder_of(backend.account_id, backend.region_name, subnet_id) is not None)


def install():
    original_delete_group = EC2Backend.delete_security_group
    original_delete_subnet = EC2Backend.delete_subnet

    def delete_security_group(self, name=None, group_id=None):
        group = self.get_security_group_from_id(group_id) if group_id else \
            self.get_security_group_by_name_or_id(name)
        if group is None:
            raise InvalidSecurityGroupNotFoundError(group_id or name)
        if group_in_use(self, group.id):
            raise DependencyViolationError(f"resource {group.id} has a dependent object")
        return original_delete_group(self, name=name, group_id=group_id)

    def delete_subnet(self, subnet_id):
        if subnet_in_use(self, subnet_id):
            raise DependencyViolationError(f"The subnet '{subnet_id}' has dependencies and cannot be deleted.")
        return original_delete_subnet(self, subnet_id)

    EC2Backend.delete_security_group = delete_security_group
    EC2Backend.delete_subnet = delete_subnet
