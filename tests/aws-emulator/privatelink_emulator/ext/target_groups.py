"""Target groups as the PrivateLink producer uses them; moto 5.2.5 gets these wrong.

- CreateTargetGroup is idempotent: "If you attempt to create multiple target groups with the same
  settings, each call succeeds" and returns the existing group; the same name with other settings
  is DuplicateTargetGroupName
  (https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateTargetGroup.html);
  moto refused every repeat.
- DescribeTargetHealth follows the target states of
  https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_TargetHealth.html and
  https://docs.aws.amazon.com/elasticloadbalancing/latest/network/target-group-health-checks.html
  (moto said `healthy` for every registered target):
  * no listener forwards to the group -> `unused`, reason `Target.NotInUse`;
  * registered (or the group newly put in use) -> `initial`, reason `Elb.RegistrationInProgress`,
    for `target_registration` seconds, then `healthy`: there is no traffic here, so the emulator
    assumes the target accepts the TCP health check, as the database it stands for would;
  * deregistered from a group in use -> `draining`, reason `Target.DeregistrationInProgress`, for
    `target_deregistration` seconds (AWS: the group's deregistration delay), then no longer listed.
- A target's AvailabilityZone (https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_TargetDescription.html:
  an IP address outside the target group's VPC is registered with `all`) is kept with the
  registration, answered in DescribeTargetHealth's Target, and a DeregisterTargets that names the
  target without that zone is refused with InvalidTarget (the zone is part of the target's
  identity; the error code is the one ELBv2 uses for a target it does not know). moto dropped the
  zone and deregistered any target by id.
"""
import time

from moto.elbv2.exceptions import DuplicateTargetGroupName, ELBClientError, TargetGroupNotFoundError
from moto.elbv2.models import ELBv2Backend, FakeHealthStatus

from ..state import CONFIG

# CreateTargetGroup argument -> FakeTargetGroup attribute, compared for idempotent repeats.
_SETTINGS = {
    "protocol": "protocol", "protocol_version": "protocol_version", "port": "port", "vpc_id": "vpc_id",
    "target_type": "target_type", "ip_address_type": "ip_address_type",
    "healthcheck_protocol": "health_check_protocol", "healthcheck_port": "health_check_port",
    "healthcheck_path": "health_check_path", "healthcheck_interval_seconds": "health_check_interval_seconds",
    "healthcheck_timeout_seconds": "health_check_timeout_seconds",
    "healthy_threshold_count": "healthy_threshold_count", "unhealthy_threshold_count": "unhealthy_threshold_count",
}


def _same_settings(group, kwargs):
    return all(str(getattr(group, attr)) == str(kwargs[arg])
               for arg, attr in _SETTINGS.items() if kwargs.get(arg) is not None)


class _HealthStatus(FakeHealthStatus):
    """moto's status with the zone the target was registered in."""

    def __init__(self, *args, zone=None):
        super().__init__(*args)
        self.zone = zone

    @property
    def target(self):
        target = dict(super().target)
        if self.zone:
            target["AvailabilityZone"] = self.zone
        return target


def _status(target, group, state, reason=None, description=None):
    return _HealthStatus(target["Id"], target.get("Port", group.port), group.health_check_port,
                         state, reason, description, zone=group.zones.get(target["Id"]))


def _timers(group):
    if not hasattr(group, "registered_at"):
        group.registered_at, group.draining, group.in_use_since, group.zones = {}, {}, None, {}
    return group


def check_deregistration_zones(group, targets):
    for target in targets:
        if target["Id"] not in group.targets:
            continue
        registered = group.zones.get(target["Id"])
        if target.get("AvailabilityZone") != registered:
            raise ELBClientError(
                "InvalidTarget",
                f"Target {target['Id']} is registered with AvailabilityZone {registered or '(none)'}; "
                f"DeregisterTargets named {target.get('AvailabilityZone') or '(none)'}")


def target_health(backend, group, target, now):
    in_use = backend._any_listener_using(group.arn)
    registered = group.targets.get(target["Id"])
    if registered is not None:
        if not in_use:
            return _status(registered, group, "unused", "Target.NotInUse",
                           "Target group is not configured to receive traffic from the load balancer")
        since = max(group.registered_at.get(target["Id"], 0.0), group.in_use_since or 0.0)
        if now < since + CONFIG.delay("target_registration"):
            return _status(registered, group, "initial", "Elb.RegistrationInProgress",
                           "Target registration is in progress")
        return _status(registered, group, "healthy")
    draining = group.draining.get(target["Id"])
    if draining is not None and now < draining[1]:
        return _status(draining[0], group, "draining", "Target.DeregistrationInProgress",
                       "Target deregistration is in progress")
    return group.health_for(target, backend.ec2_backend)


def describe_target_health(backend, group_arn, targets):
    group = backend.target_groups.get(group_arn)
    if group is None:
        raise TargetGroupNotFoundError()
    _timers(group)
    now = time.monotonic()
    in_use = backend._any_listener_using(group.arn)
    if in_use and group.in_use_since is None:
        group.in_use_since = now
    elif not in_use:
        group.in_use_since = None
    group.draining = {k: v for k, v in group.draining.items() if v[1] > now and k not in group.targets}
    if not targets:
        targets = list(group.targets.values()) + [t for t, _until in group.draining.values()]
    return [target_health(backend, group, t, now) for t in targets]


def install():
    original_create = ELBv2Backend.create_target_group
    original_register = ELBv2Backend.register_targets
    original_deregister = ELBv2Backend.deregister_targets

    def create_target_group(self, name, **kwargs):
        for group in self.target_groups.values():
            if group.name == name:
                if not _same_settings(group, kwargs):
                    raise DuplicateTargetGroupName()
                return group
        return original_create(self, name, **kwargs)

    def register_targets(self, target_group_arn, targets):
        original_register(self, target_group_arn, targets)
        group = _timers(self.target_groups[target_group_arn])
        for target in targets:
            group.registered_at[target["Id"]] = time.monotonic()
            group.draining.pop(target["Id"], None)
            group.zones[target["Id"]] = target.get("AvailabilityZone")

    def deregister_targets(self, target_group_arn, targets):
        group = self.target_groups.get(target_group_arn)
        if group is not None:
            check_deregistration_zones(_timers(group), targets)
        gone = {t["Id"]: group.targets.get(t["Id"]) for t in targets} if group else {}
        original_deregister(self, target_group_arn, targets)
        if not self._any_listener_using(target_group_arn):
            return
        until = time.monotonic() + CONFIG.delay("target_deregistration")
        for target_id, target in gone.items():
            group.registered_at.pop(target_id, None)
            if target is not None:
                group.draining[target_id] = (target, until)

    def describe(self, target_group_arn, targets):
        return describe_target_health(self, target_group_arn, targets)

    ELBv2Backend.create_target_group = create_target_group
    ELBv2Backend.describe_target_health = describe
    ELBv2Backend.register_targets = register_targets
    ELBv2Backend.deregister_targets = deregister_targets
