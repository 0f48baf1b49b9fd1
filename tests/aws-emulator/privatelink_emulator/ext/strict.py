"""Input rules AWS enforces on the calls the provider makes, which moto 5.2.5 lets through (or gets
wrong). Each rule cites its page; ../README.md ("Strictness") lists them.

- ELBv2 tags (https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_Tag.html,
  https://docs.aws.amazon.com/elasticloadbalancing/latest/network/load-balancer-limits.html): keys
  1-128 and values 0-256 characters of Unicode letters, digits, white space and `_ . : / = + - @`;
  keys starting `aws:` are reserved; at most 50 tags per resource -> ValidationError / TooManyTags.
  moto checked nothing at create and refused an 11th tag in AddTags (AWS's limit is 50).
- Target group health checks (https://docs.aws.amazon.com/elasticloadbalancing/latest/network/target-group-health-checks.html):
  interval 5-300 s, timeout 2-120 s (TCP default 10 s); a timeout longer than the interval ->
  ValidationError. moto accepted any values.
- IP targets (https://docs.aws.amazon.com/elasticloadbalancing/latest/network/target-group-register-targets.html):
  addresses must be in the target group's VPC or in RFC 1918 / RFC 6598 (100.64.0.0/10) ranges;
  publicly routable addresses cannot be registered. An address outside the VPC needs
  AvailabilityZone=all. Otherwise ValidationError. moto registered anything.
- Security groups (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateSecurityGroup.html):
  GroupName cannot start with `sg-`; GroupName and GroupDescription are at most 255 characters of
  a-z, A-Z, 0-9, spaces and `._-:/()#,@[]+=&;{}!$*` (in a VPC) -> InvalidParameterValue. moto
  checked neither.
"""
import ipaddress
import unicodedata

from moto.ec2.exceptions import EC2ClientError
from moto.ec2.models.security_groups import SecurityGroupBackend
from moto.elbv2.exceptions import TooManyTagsError, ValidationError
from moto.elbv2.models import ELBv2Backend

MAX_ELB_TAGS = 50
_ELB_TAG_PUNCTUATION = set(" _.:/=+-@")
_SG_TEXT = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 ._-:/()#,@[]+=&;{}!$*")
_PRIVATE = [ipaddress.ip_network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10")]


def _elb_tag_text(text):
    return all(c in _ELB_TAG_PUNCTUATION or unicodedata.category(c)[0] in "LNZ" for c in text)


def check_elb_tags(tags, existing=()):
    """`tags`: [{"Key", "Value"}]; `existing`: keys already on the resource."""
    for tag in tags or []:
        key, value = tag.get("Key") or "", tag.get("Value") or ""
        if not 1 <= len(key) <= 128 or not _elb_tag_text(key):
            raise ValidationError(f"Tag key '{key}' is not valid: 1 to 128 letters, digits, spaces and _.:/=+-@")
        if key.lower().startswith("aws:"):
            raise ValidationError(f"Tag key '{key}' uses the reserved prefix 'aws:'")
        if len(value) > 256 or not _elb_tag_text(value):
            raise ValidationError(f"Tag value '{value}' is not valid: up to 256 letters, digits, spaces and _.:/=+-@")
    keys = set(existing) | {t.get("Key") for t in tags or []}
    if len(keys) > MAX_ELB_TAGS:
        raise TooManyTagsError()


def check_health_check(interval, timeout, protocol):
    interval = 30 if interval is None else int(interval)
    default_timeout = 10 if (protocol or "TCP").upper() in ("TCP", "HTTPS", "TLS", "UDP", "TCP_UDP") else 6
    timeout = default_timeout if timeout is None else int(timeout)
    if not 5 <= interval <= 300:
        raise ValidationError(f"Health check interval must be between 5 and 300 seconds, not {interval}")
    if not 2 <= timeout <= 120:
        raise ValidationError(f"Health check timeout must be between 2 and 120 seconds, not {timeout}")
    if timeout > interval:
        raise ValidationError(f"Health check timeout '{timeout}' must be smaller than or equal to the interval "
                              f"'{interval}'")


def _vpc_networks(ec2_backend, vpc_id):
    vpc = ec2_backend.get_vpc(vpc_id)
    blocks = [a.get("cidr_block") for a in vpc.cidr_block_association_set
              if a.get("cidr_block_state", {}).get("state", "associated") == "associated"]
    return [ipaddress.ip_network(b) for b in blocks if b] or [ipaddress.ip_network(vpc.cidr_block)]


def check_ip_targets(backend, group, targets):
    if group is None or group.target_type != "ip":
        return
    inside = _vpc_networks(backend.ec2_backend, group.vpc_id)
    for target in targets:
        address = ipaddress.ip_address(target["Id"])
        if any(address in n for n in inside):
            continue
        if not any(address in n for n in _PRIVATE):
            raise ValidationError(f"The IP address '{address}' is not a valid private IP address: IP targets must be "
                                  "in the target group's VPC or in 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16 or "
                                  "100.64.0.0/10")
        if target.get("AvailabilityZone") != "all":
            raise ValidationError(f"The IP address '{address}' is outside the target group's VPC: set its "
                                  "AvailabilityZone to 'all'")


def check_security_group(name, description):
    if name and name.startswith("sg-"):
        raise EC2ClientError("InvalidParameterValue", f"Group names may not be in the format sg-*: {name}")
    for field, text in (("GroupName", name), ("GroupDescription", description)):
        if text is not None and (len(text) > 255 or any(c not in _SG_TEXT for c in text)):
            raise EC2ClientError("InvalidParameterValue",
                                 f"Value ({text}) for parameter {field} is invalid. Character sets beyond "
                                 "ASCII are not supported.")


def install():
    original_create_lb = ELBv2Backend.create_load_balancer
    original_create_tg = ELBv2Backend.create_target_group
    original_modify_tg = ELBv2Backend.modify_target_group
    original_create_listener = ELBv2Backend.create_listener
    original_register = ELBv2Backend.register_targets
    original_create_sg = SecurityGroupBackend.create_security_group

    def create_load_balancer(self, *args, **kwargs):
        check_elb_tags(kwargs.get("tags"))
        return original_create_lb(self, *args, **kwargs)

    def create_target_group(self, name, **kwargs):
        check_elb_tags(kwargs.get("tags"))
        check_health_check(kwargs.get("healthcheck_interval_seconds"), kwargs.get("healthcheck_timeout_seconds"),
                           kwargs.get("healthcheck_protocol") or kwargs.get("protocol"))
        return original_create_tg(self, name, **kwargs)

    def modify_target_group(self, arn, *args, **kwargs):
        group = self.target_groups.get(arn)
        if group is not None:
            interval = kwargs.get("health_check_interval")
            timeout = kwargs.get("health_check_timeout")
            check_health_check(group.health_check_interval_seconds if interval is None else interval,
                               group.health_check_timeout_seconds if timeout is None else timeout,
                               kwargs.get("health_check_proto") or group.health_check_protocol)
        return original_modify_tg(self, arn, *args, **kwargs)

    def create_listener(self, *args, **kwargs):
        check_elb_tags(kwargs.get("tags"))
        return original_create_listener(self, *args, **kwargs)

    def add_tags(self, resource_arns, tags):
        for arn in resource_arns:
            self._get_resource_by_arn(arn)
            check_elb_tags(tags, self.tagging_service.get_tag_dict_for_resource(arn))
        for arn in resource_arns:
            self.tagging_service.tag_resource(arn, tags)

    def register_targets(self, target_group_arn, targets):
        check_ip_targets(self, self.target_groups.get(target_group_arn), targets)
        return original_register(self, target_group_arn, targets)

    def create_security_group(self, name, description, *args, **kwargs):
        check_security_group(name, description)
        return original_create_sg(self, name, description, *args, **kwargs)

    ELBv2Backend.create_load_balancer = create_load_balancer
    ELBv2Backend.create_target_group = create_target_group
    ELBv2Backend.modify_target_group = modify_target_group
    ELBv2Backend.create_listener = create_listener
    ELBv2Backend.add_tags = add_tags
    ELBv2Backend.register_targets = register_targets
    SecurityGroupBackend.create_security_group = create_security_group
