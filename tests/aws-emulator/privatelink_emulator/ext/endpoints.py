"""The consumer's side of PrivateLink: another account's service as the consumer sees it, and the
interface endpoint's own calls. moto 5.2.5 gets these wrong.

- DescribeVpcEndpointServices answers ServiceDetail
  (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_ServiceDetail.html) with
  AvailabilityZoneIds, ServiceRegion, PrivateDnsNameVerificationState, SupportedIpAddressTypes and
  Tags (moto left them out), and applies the Filters of
  https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeVpcEndpointServices.html
  (owner, service-name, service-region, service-type, supported-ip-address-types, tag:<key>,
  tag-key); moto crashed on any filter. Other accounts' services are listed when the caller is an
  allowed principal (ec2_privatelink.visible_configs).
- CreateVpcEndpoint is idempotent with ClientToken
  (https://docs.aws.amazon.com/ec2/latest/devguide/ec2-api-idempotency.html): a retry with the same
  token and parameters returns the endpoint the first call made (in its current state, `deleted`
  once it is gone: EC2 keeps tokens after the resource, state.ClientTokens) and echoes the token;
  the same token with other parameters is IdempotentParameterMismatch, also after the delete.
  moto made a second endpoint.
- Private DNS on an interface endpoint (CreateVpcEndpoint / ModifyVpcEndpoint `PrivateDnsEnabled`,
  https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateVpcEndpoint.html,
  https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_ModifyVpcEndpoint.html) can be enabled
  only when (InvalidParameter otherwise):
  * the VPC has enableDnsSupport and enableDnsHostnames
    (https://docs.aws.amazon.com/vpc/latest/privatelink/create-interface-endpoint.html);
  * the service has a private DNS name (AWS: "Private DNS can't be enabled because the service ...
    does not provide a private DNS name.") and it is `verified`: "Consumers of the endpoint service
    can use the private name only when the state is verified"
    (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_PrivateDnsNameConfiguration.html,
    https://docs.aws.amazon.com/vpc/latest/privatelink/manage-dns-names.html);
  * the connection is accepted: not while it awaits acceptance or was rejected. The API reference
    does not state this rule; it is the behaviour users report
    (https://github.com/crossplane-contrib/provider-aws/issues/1363,
    https://github.com/hashicorp/terraform-provider-aws/pull/37628).
  The VPC-attribute message is AWS's as users quote it; the other two messages are the emulator's.
  An omitted PrivateDnsEnabled at create is AWS's default, true, where these rules allow it, and
  false (no error) where they do not: AWS does not document that case. Enabling adds the private
  DNS name to DnsEntries; disabling removes it. moto enabled private DNS whenever the value was
  omitted, checked nothing, and ignored PrivateDnsEnabled in ModifyVpcEndpoint.
- ModifyVpcEndpoint keeps the endpoint's network interfaces in step
  (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_ModifyVpcEndpoint.html): Add/Remove
  SecurityGroupIds change the groups of every endpoint ENI (unknown group -> InvalidGroup.NotFound);
  AddSubnetIds creates an ENI (and a zonal DNS name) in each new subnet under CreateVpcEndpoint's
  zone rules; RemoveSubnetIds deletes that subnet's ENI. moto changed only the endpoint's lists.
- DescribeVpcEndpoints filters vpc-endpoint-id, ip-address-type, service-region (moto crashed on
  them; https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeVpcEndpoints.html) and
  answers InvalidParameterValue for an unknown filter.
"""
import json

from moto.core.responses import ActionResult
from moto.ec2.exceptions import (EC2ClientError, FilterNotImplementedError, InvalidSecurityGroupNotFoundError,
                                 InvalidServiceName)
from moto.ec2.models.vpcs import VPCEndPoint
from moto.ec2.responses import EC2Response

from moto.ec2.models import ec2_backends

from ..state import CLIENT_TOKENS, CONFIG, HOLDS
from . import cross_region
from .ec2_privatelink import (REQUESTED, check_service_name, check_zones, default_service, dns_entries,
                              find_service, release_interface, set_up_interface, sync_interface_groups,
                              visible_configs, zone_ids)
from .filters import select

# ---------------------------------------------------------------------------- DescribeVpcEndpointServices

_SERVICE_FILTERS = {
    "owner": lambda d: d["Owner"],
    "service-name": lambda d: d["ServiceName"],
    "service-region": lambda d: d.get("ServiceRegion"),
    "service-type": lambda d: [t["ServiceType"] for t in d["ServiceType"]],
    "supported-ip-address-types": lambda d: d.get("SupportedIpAddressTypes", ["ipv4"]),
}


def service_detail(config, caller):
    """The ServiceDetail of an endpoint service configuration as account `caller` sees it. Zone ids
    name the physical zones of the service's load balancer subnets; zone names are the caller's
    names for them (in moto every account maps names to ids alike). AWS lists only the zones the
    consumer also has; every account has every zone here. A service in another Region is named
    with the caller's account's names in that Region (AWS does not say; cross_region.py)."""
    owner = config.ec2_backend
    caller_there = ec2_backends[caller.account_id][owner.region_name]
    names_by_id = {z.zone_id: z.name for z in caller_there.describe_availability_zones()}
    ids = sorted(set(config.availability_zone_ids), key=lambda i: names_by_id.get(i, i))
    detail = {
        "ServiceName": config.service_name,
        "ServiceId": config.id,
        "ServiceType": config.service_type,
        "ServiceRegion": owner.region_name,
        "AvailabilityZoneIds": ids,
        "AvailabilityZones": [names_by_id[i] for i in ids if i in names_by_id],
        "Owner": owner.account_id,
        "BaseEndpointDnsNames": config.base_endpoint_dns_names,
        "VpcEndpointPolicySupported": True,
        "AcceptanceRequired": bool(config.acceptance_required),
        "ManagesVpcEndpoints": False,
        "SupportedIpAddressTypes": ["ipv4"],
        "Tags": [{"Key": t["key"], "Value": t["value"]} for t in config.get_tags()],
    }
    if config.private_dns_name:
        detail["PrivateDnsName"] = config.private_dns_name
        detail["PrivateDnsNames"] = [{"PrivateDnsName": config.private_dns_name}]
        detail["PrivateDnsNameVerificationState"] = config.dns_verification["State"]
    return detail


def _aws_service_detail(service, caller):
    """moto's AWS-managed service entry with the zone ids it lacks."""
    return {**service, "ServiceRegion": caller.region_name,
            "AvailabilityZoneIds": zone_ids(caller, service.get("AvailabilityZones", []))}


def describe_services(backend, names, filters, max_results=None, next_token=None, service_regions=()):
    """(details, next_token) for DescribeVpcEndpointServices; NextToken is the ServiceId of the
    first service of the next page, as moto did. `service_regions` (ServiceRegions): the Regions
    whose services are listed, the caller's own by default; another Region's services are listed
    when they support the caller's Region (cross_region.py)."""
    regions = list(service_regions) or [backend.region_name]
    details = []
    if backend.region_name in regions:
        details += [_aws_service_detail(s, backend)
                    for s in backend._collect_default_endpoint_services(backend.account_id, backend.region_name)]
    for region in regions:
        details += [service_detail(c, backend) for c in visible_configs(backend, region).values()]
    for name in names:
        if name not in {d["ServiceName"] for d in details}:
            raise InvalidServiceName(name)
    if names:
        details = [d for d in details if d["ServiceName"] in names]
    details = sorted(select(details, filters, _SERVICE_FILTERS, tags=True), key=lambda d: d["ServiceName"])
    start = 0
    if next_token:
        ids = [d["ServiceId"] for d in details]
        if next_token not in ids:
            raise EC2ClientError("InvalidNextToken", f"The token '{next_token}' is invalid")
        start = ids.index(next_token)
    end = start + min(int(max_results or 1000), 1000)
    return details[start:end], (details[end]["ServiceId"] if end < len(details) else None)


# ---------------------------------------------------------------------------- private DNS

def _attribute(vpc, name):
    return str(getattr(vpc, name, False)).lower() == "true"


def check_private_dns(backend, vpc_id, service_name, accepted, service_region=None):
    """Raises InvalidParameter unless private DNS can be enabled for an endpoint in `vpc_id` to
    `service_name` (in `service_region`, the caller's Region by default); `accepted`: whether the
    endpoint's connection is accepted."""
    if not (_attribute(backend.get_vpc(vpc_id), "enable_dns_support")
            and _attribute(backend.get_vpc(vpc_id), "enable_dns_hostnames")):
        raise EC2ClientError("InvalidParameter", "Enabling private DNS requires both enableDnsSupport and "
                                                 f"enableDnsHostnames VPC attributes set to true for {vpc_id}")
    _owner, config = find_service(service_name, service_region or backend.region_name)
    if config is None:
        name = (default_service(backend, service_name) or {}).get("PrivateDnsName")
        state = "verified"
    else:
        name, state = config.private_dns_name, config.dns_verification["State"]
    if not name:
        raise EC2ClientError("InvalidParameter", f"Private DNS can't be enabled because the service "
                                                 f"{service_name} does not provide a private DNS name.")
    if state != "verified":
        raise EC2ClientError("InvalidParameter", f"Private DNS can't be enabled because the private DNS name "
                                                 f"{name} of the service {service_name} is not verified.")
    if not accepted:
        raise EC2ClientError("InvalidParameter", f"Private DNS can't be enabled until the service provider "
                                                 f"accepts the connection to {service_name}.")


def _is_interface(endpoint_type):
    return (endpoint_type or "").lower() == "interface"


# ---------------------------------------------------------------------------- CreateVpcEndpoint

def _fingerprint(response):
    """Every request parameter but the token, to compare a retry with the first call."""
    params = {k: v for k, v in response._get_params().items() if k not in ("ClientToken", "DryRun", "Action", "Version")}
    return json.dumps(params, sort_keys=True, default=str)


def _private_dns_possible(backend, vpc_id, service_name, accepted, service_region):
    try:
        check_private_dns(backend, vpc_id, service_name, accepted, service_region)
    except EC2ClientError:
        return False
    return True


def _create_new(response, original):
    backend, param = response.ec2_backend, response._get_param
    interface = _is_interface(param("VpcEndpointType"))
    requested = param("PrivateDnsEnabled")  # None when omitted
    service_region = param("ServiceRegion") or backend.region_name
    if interface:
        config = check_service_name(backend, param("ServiceName"), service_region)
        backend.get_vpc(param("VpcId"))
        accepted = config is None or not config.acceptance_required
        if str(requested).lower() == "true":
            check_private_dns(backend, param("VpcId"), param("ServiceName"), accepted, service_region)
        elif requested is None:
            default = _private_dns_possible(backend, param("VpcId"), param("ServiceName"), accepted,
                                            service_region)
    REQUESTED.service_region = service_region
    try:
        endpoint = original(response).result["VpcEndpoint"]
    finally:
        REQUESTED.service_region = None
    if interface and requested is None:
        endpoint.private_dns_enabled = default
        endpoint.dns_entries = dns_entries(backend, endpoint, config)
    return endpoint


def create_endpoint(response, original):
    """`response`: the EC2Response; `original`: moto's CreateVpcEndpoint handler. The token is
    remembered after the endpoint is deleted (state.ClientTokens)."""
    backend = response.ec2_backend
    token = response._get_param("ClientToken")
    fingerprint = _fingerprint(response)
    try:
        endpoint = CLIENT_TOKENS.recall(backend.account_id, backend.region_name, "CreateVpcEndpoint",
                                        token, fingerprint)
    except ValueError as mismatch:
        raise EC2ClientError("IdempotentParameterMismatch", str(mismatch))
    if endpoint is None:
        endpoint = _create_new(response, original)
        CLIENT_TOKENS.remember(backend.account_id, backend.region_name, "CreateVpcEndpoint",
                               token, fingerprint, endpoint)
    result = {"VpcEndpoint": endpoint}
    if token:
        result["ClientToken"] = token
    return ActionResult(result)


# ---------------------------------------------------------------------------- ModifyVpcEndpoint

def _add_subnets(backend, endpoint, subnet_ids):
    for subnet_id in subnet_ids:
        eni = backend.create_network_interface(subnet_id, None)
        set_up_interface(endpoint, eni)
        endpoint.network_interface_ids.append(eni.id)
    endpoint.subnet_ids = list(endpoint.subnet_ids or []) + list(subnet_ids)


def _remove_subnets(backend, endpoint, subnet_ids):
    """The subnet's ENI goes; the subnet stays in use for `eni_release` seconds (AWS releases
    requester-managed ENIs late)."""
    for eni_id in list(endpoint.network_interface_ids):
        eni = backend.enis.get(eni_id)
        if eni is not None and eni.subnet is not None and eni.subnet.id in subnet_ids:
            release_interface(backend, eni_id)
            endpoint.network_interface_ids.remove(eni_id)
    endpoint.subnet_ids = [s for s in endpoint.subnet_ids if s not in subnet_ids]
    HOLDS.add(backend.account_id, backend.region_name, subnet_ids, CONFIG.delay("eni_release"),
              f"network interfaces removed from endpoint {endpoint.id}")


def modify_endpoint(backend, param):
    """`param(name, default)` reads the request (EC2Response._get_param). Everything is checked
    before anything changes."""
    endpoint = backend.get_vpc_end_point(param("VpcEndpointId", None))
    interface = _is_interface(endpoint.vpc_endpoint_type)
    for group_id in param("AddSecurityGroupIds", []):
        if backend.get_security_group_from_id(group_id) is None:
            raise InvalidSecurityGroupNotFoundError(group_id)
    private_dns = param("PrivateDnsEnabled", None)
    if interface and str(private_dns).lower() == "true" and not endpoint.private_dns_enabled:
        check_private_dns(backend, endpoint.vpc_id, endpoint.service_name,
                          accepted=endpoint.state in ("pending", "available"),
                          service_region=cross_region.endpoint_service_region(endpoint))
    _owner, config = find_service(endpoint.service_name, cross_region.endpoint_service_region(endpoint))
    current = list(endpoint.subnet_ids or [])
    added = [s for s in param("AddSubnetIds", []) if s not in current]
    removed = [s for s in param("RemoveSubnetIds", []) if s in current]
    if interface:
        check_zones(backend, config, [s for s in current if s not in removed] + added,
                    cross=cross_region.is_cross_region(endpoint))

    endpoint.modify(param("PolicyDocument", None), None, None, param("AddRouteTableIds", []),
                    param("RemoveRouteTableIds", []), param("AddSecurityGroupIds", []),
                    param("RemoveSecurityGroupIds", []))
    if not interface:
        return
    _remove_subnets(backend, endpoint, removed)
    _add_subnets(backend, endpoint, added)
    sync_interface_groups(backend, endpoint)
    if private_dns is not None:
        endpoint.private_dns_enabled = str(private_dns).lower() == "true"
    endpoint.dns_entries = dns_entries(backend, endpoint, config)


# ---------------------------------------------------------------------------- DescribeVpcEndpoints filters

_ENDPOINT_FILTERS = {
    "vpc-endpoint-id": lambda e: e.id,
    "ip-address-type": lambda e: "ipv4",
    "service-region": cross_region.endpoint_service_region,
}


def _patch_endpoint_filters():
    original = VPCEndPoint.get_filter_value

    def get_filter_value(self, filter_name, method_name=None):
        if filter_name in _ENDPOINT_FILTERS:
            return _ENDPOINT_FILTERS[filter_name](self)
        try:
            return original(self, filter_name, method_name)
        except FilterNotImplementedError:
            raise EC2ClientError("InvalidParameterValue", f"The filter '{filter_name}' is invalid") from None

    VPCEndPoint.get_filter_value = get_filter_value


# ---------------------------------------------------------------------------- responses

def install():
    _patch_endpoint_filters()
    original_create = EC2Response.create_vpc_endpoint

    def create_vpc_endpoint(self):
        return create_endpoint(self, original_create)

    def modify_vpc_endpoint(self):
        modify_endpoint(self.ec2_backend, self._get_param)
        return ActionResult({"Return": True})

    def describe_vpc_endpoint_services(self):
        details, token = describe_services(self.ec2_backend, self._get_param("ServiceNames", []),
                                           self._filters_from_querystring(), self._get_param("MaxResults"),
                                           self._get_param("NextToken"), self._get_param("ServiceRegions", []))
        return ActionResult({"ServiceNames": [d["ServiceName"] for d in details], "ServiceDetails": details,
                             "NextToken": token})

    EC2Response.create_vpc_endpoint = create_vpc_endpoint
    EC2Response.modify_vpc_endpoint = modify_vpc_endpoint
    EC2Response.describe_vpc_endpoint_services = describe_vpc_endpoint_services
