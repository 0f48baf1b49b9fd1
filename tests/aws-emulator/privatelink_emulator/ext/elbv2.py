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
"""
import moto.elbv2.models as elbv2_models
from moto.elbv2.exceptions import ResourceInUseError
from moto.elbv2.models import ELBv2Backend, FakeLoadBalancer

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


def install():
    original_create = ELBv2Backend.create_load_balancer
    original_delete = ELBv2Backend.delete_load_balancer

    original_arn = elbv2_models.make_arn_for_load_balancer

    def create_load_balancer(self, *args, **kwargs):
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
        return original_delete(self, arn)

    def activate(self):
        # moto calls this on every describe; only our timer makes the balancer active.
        if getattr(self, "_emulator_ready", True) and self.state == "provisioning":
            self.state = "active"

    ELBv2Backend.create_load_balancer = create_load_balancer
    ELBv2Backend.delete_load_balancer = delete_load_balancer
    FakeLoadBalancer.activate = activate
