"""Elastic Load Balancing v2 behaviours moto 5.2.5 lacks.

- A new load balancer is `provisioning`, then `active`
  (https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_LoadBalancerState.html);
  moto activates on the first describe, we wait `nlb_provisioning` seconds.
- DeleteLoadBalancer of a load balancer that an endpoint service uses fails with ResourceInUse
  (https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_DeleteLoadBalancer.html,
  https://docs.aws.amazon.com/vpc/latest/privatelink/delete-endpoint-service.html).
- ARNs name the type: loadbalancer/net/... for NLBs, loadbalancer/app/... for ALBs
  (https://docs.aws.amazon.com/elasticloadbalancing/latest/network/network-load-balancers.html);
  moto always writes app/.
- A deleted load balancer's ENIs keep its security groups in use for `eni_release` seconds.
- CreateLoadBalancer is idempotent: "If you attempt to create multiple load balancers with the same
  settings, each call succeeds" and returns the existing one; the same name with other settings
  is DuplicateLoadBalancerName
  (https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateLoadBalancer.html);
  moto made a second balancer with the same name.
- An NLB created with security groups reports EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic
  (`on` by default); SetSecurityGroups sets it and echoes it, and "You can't perform this operation
  on a Network Load Balancer unless you specified a security group for the load balancer when you
  created it" -> InvalidConfigurationRequest (one of the operation's documented errors)
  (https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_SetSecurityGroups.html,
  https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_LoadBalancer.html);
  moto accepted it and never reported the setting.
- A load balancer name "can have a maximum of 32 characters, must contain only alphanumeric
  characters or hyphens, must not begin or end with a hyphen, and must not begin with internal-"
  (https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateLoadBalancer.html);
  moto accepted any name. Refused with the common ValidationError code.
"""
import re

import moto.elbv2.models as elbv2_models
from moto.core.responses import ActionResult
from moto.elbv2.exceptions import (DuplicateLoadBalancerName, InvalidConfigurationRequest,
                                   LoadBalancerNotFoundError, ResourceInUseError, ValidationError)
from moto.elbv2.exceptions import ELBClientError as RESTError
from moto.elbv2.models import AvailabilityZone, ELBv2Backend, FakeLoadBalancer
from moto.elbv2.responses import ELBV2Response

from ..state import CONFIG, HOLDS, SCHEDULER


def _activate_when_due(lb):
    lb._emulator_ready = False

    def ready():
        lb._emulator_ready = True
        lb.state = "active" if lb.state == "provisioning" else lb.state

    SCHEDULER.after(CONFIG.delay("nlb_provisioning"), ready)


def _services_using(elbv2, lb):
    from moto.ec2.models import ec2_backends
    backend = ec2_backends[elbv2.account_id][elbv2.region_name]
    return [c for c in backend.configurations.values()
            if lb.arn in c.network_load_balancer_arns or lb.arn in c.gateway_load_balancer_arns]


def set_network_subnets(backend, lb, subnet_ids):
    """SetSubnets on a Network Load Balancer (https://docs.aws.amazon.com/elasticloadbalancing/latest/network/availability-zones.html,
    https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_SetSubnets.html): subnets may be
    added and removed (one zone is enough, unlike an ALB's two), one per zone; a subnet cannot be removed
    while the balancer has active endpoint associations (an endpoint service with live connections)
    -> InvalidConfigurationRequest. moto applied the ALB rules and no association check."""
    from .ec2_privatelink import LIVE_CONNECTION_STATES, endpoints_of_service
    subnets, zones = [], set()
    for subnet_id in subnet_ids:
        subnet = backend.ec2_backend.get_subnet(subnet_id)
        if subnet.availability_zone in zones:
            raise RESTError("InvalidConfigurationRequest",
                            "More than 1 subnet cannot be specified for 1 availability zone")
        zones.add(subnet.availability_zone)
        subnets.append(subnet)
    if not subnets:
        raise RESTError("ValidationError", "At least one subnet must be specified")
    removed = {s.id for s in lb.subnets} - {s.id for s in subnets}
    live = [e.id for config in _services_using(backend, lb) for e in endpoints_of_service(config)
            if e.state in LIVE_CONNECTION_STATES]
    if removed and live:
        raise RESTError("InvalidConfigurationRequest",
                        f"Subnets {sorted(removed)} cannot be removed from load balancer '{lb.arn}' while it has "
                        f"active endpoint associations ({', '.join(sorted(live))})")
    lb.subnets = subnets
    return [AvailabilityZone(subnet) for subnet in subnets]


def _settings(lb_type, scheme, subnet_ids, security_groups, ip_address_type):
    return (lb_type or "application", scheme or "internet-facing", frozenset(subnet_ids),
            frozenset(security_groups or []), ip_address_type or "ipv4")


_NAME = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,30}[A-Za-z0-9])?")


def check_name(name):
    if len(name or "") > 32:
        raise ValidationError(f"The load balancer name '{name}' cannot be longer than '32' characters")
    if not _NAME.fullmatch(name or "") or name.startswith("internal-"):
        raise ValidationError(
            f"The load balancer name '{name}' must contain only alphanumeric characters or hyphens, "
            "must not begin or end with a hyphen, and must not begin with 'internal-'")


def _existing(backend, name, kwargs):
    """The balancer a repeated CreateLoadBalancer stands for, or None for a new name."""
    lb = next((lb for lb in backend.load_balancers.values() if lb.name == name), None)
    if lb is None:
        return None
    subnet_ids = list(kwargs.get("subnet_ids") or []) + \
        [m["SubnetId"] for m in kwargs.get("subnet_mappings") or []]
    wanted = _settings(kwargs.get("loadbalancer_type"), kwargs.get("scheme"), subnet_ids,
                       kwargs.get("security_groups"), kwargs.get("ip_address_type"))
    have = _settings(lb.type, lb.scheme, [s.id for s in lb.subnets], lb.security_groups, lb.ip_address_type)
    if wanted != have:
        raise DuplicateLoadBalancerName()
    return lb


def set_security_groups(backend, arn, groups, enforce):
    lb = backend.load_balancers.get(arn)
    if lb is None:
        raise LoadBalancerNotFoundError()
    if lb.type == "network" and not getattr(lb, "created_with_security_groups", False):
        raise InvalidConfigurationRequest(
            "You cannot set security groups for a Network Load Balancer which was created without any")
    backend.set_security_groups(arn, groups)
    if lb.type == "network" and enforce:
        lb.enforce_security_group_inbound_rules_on_private_link_traffic = enforce
    return lb


def _set_security_groups_response(self):
    lb = set_security_groups(self.elbv2_backend, self._get_param("LoadBalancerArn"),
                             self._get_param("SecurityGroups", []),
                             self._get_param("EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic"))
    result = {"SecurityGroupIds": list(lb.security_groups)}
    enforce = getattr(lb, "enforce_security_group_inbound_rules_on_private_link_traffic", None)
    if enforce:
        result["EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic"] = enforce
    return ActionResult(result)


def install():
    original_create = ELBv2Backend.create_load_balancer
    original_delete = ELBv2Backend.delete_load_balancer

    original_arn = elbv2_models.make_arn_for_load_balancer

    def create_load_balancer(self, *args, **kwargs):
        check_name(kwargs.get("name"))
        existing = _existing(self, kwargs.get("name"), kwargs)
        if existing is not None:
            return existing
        prefix = {"network": "net", "gateway": "gwy"}.get(kwargs.get("loadbalancer_type"), "app")
        # moto builds the ARN inside create_load_balancer; swap its helper for this call
        # (requests are serialised by the emulator's lock).
        elbv2_models.make_arn_for_load_balancer = \
            lambda **kw: original_arn(**kw).replace("/app/", f"/{prefix}/", 1)
        try:
            lb = original_create(self, *args, **kwargs)
        finally:
            elbv2_models.make_arn_for_load_balancer = original_arn
        _activate_when_due(lb)
        lb.created_with_security_groups = bool(lb.security_groups)
        if lb.type == "network" and lb.security_groups:
            lb.enforce_security_group_inbound_rules_on_private_link_traffic = "on"
        return lb

    def delete_load_balancer(self, arn):
        lb = self.load_balancers.get(arn)
        if lb is not None:
            if _services_using(self, lb):
                raise ResourceInUseError(
                    f"Load balancer '{arn}' cannot be deleted because it is currently associated with another service")
            HOLDS.add(self.account_id, self.region_name,
                      list(lb.security_groups or []) + [subnet.id for subnet in lb.subnets],
                      CONFIG.delay("eni_release"), f"network interfaces of deleted load balancer {lb.name}")
            if CONFIG.delay("eni_release") > 0:
                from .ec2_privatelink import hold_interfaces, load_balancer_interfaces
                hold_interfaces(self.ec2_backend, load_balancer_interfaces(self.ec2_backend, lb))
        return original_delete(self, arn)

    original_set_subnets = ELBv2Backend.set_subnets

    def set_subnets(self, arn, subnets, subnet_mappings):
        lb = self.load_balancers.get(arn)
        if lb is not None and lb.type == "network" and not subnet_mappings:
            return set_network_subnets(self, lb, subnets)
        return original_set_subnets(self, arn, subnets, subnet_mappings)

    ELBv2Backend.set_subnets = set_subnets

    def activate(self):
        # moto calls this on every describe; only our timer makes the balancer active.
        if getattr(self, "_emulator_ready", True) and self.state == "provisioning":
            self.state = "active"

    ELBv2Backend.create_load_balancer = create_load_balancer
    ELBv2Backend.delete_load_balancer = delete_load_balancer
    FakeLoadBalancer.activate = activate
    ELBV2Response.set_security_groups = _set_security_groups_response
