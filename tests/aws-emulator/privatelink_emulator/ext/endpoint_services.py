"""The endpoint service configuration as its owner manages it; moto 5.2.5 gets these wrong.

- A new service is `Pending`, then `Available`
  (ServiceState, https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_ServiceConfiguration.html);
  moto answers `Available` at once. We wait `service_pending` seconds.
- A retry of CreateVpcEndpointServiceConfiguration with the same ClientToken returns the service the
  first call made (also once deleted: then in state `Deleted`), another call with the same token and
  other parameters is IdempotentParameterMismatch, and the response echoes the token
  (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateVpcEndpointServiceConfiguration.html,
  https://docs.aws.amazon.com/ec2/latest/devguide/ec2-api-idempotency.html); moto made a second one.
- SupportedRegions always lists the service's own Region
  (https://docs.aws.amazon.com/vpc/latest/privatelink/configure-endpoint-service.html#endpoint-service-cross-region);
  moto listed only the regions passed. Each Region has its own state (cross_region.py).
- A private DNS name comes with a domain ownership check: PrivateDnsNameConfiguration is
  {State: pendingVerification, Type: TXT, Name: _<random>, Value: vpce:<random>}
  (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_PrivateDnsNameConfiguration.html,
  https://docs.aws.amazon.com/vpc/latest/privatelink/manage-dns-names.html); moto said `verified`
  with the placeholders `n`/`val`. Without a private DNS name the structure is absent.
- StartVpcEndpointServicePrivateDnsVerification (a 500 in moto) looks for the TXT record `Name.<domain>`
  with `Value`, where <domain> is the private DNS name or one of its parent domains, in the emulator's
  published TXT records (POST /_emulator/dns with "txt"); found -> `verified`, otherwise the state
  stays `pendingVerification` (there is no public DNS here; AWS may report `failed` later, which the
  emulator does not model). Changing the private DNS name starts over at `pendingVerification`.
- ModifyVpcEndpointServiceConfiguration honours RemovePrivateDnsName (moto ignored it) and ignores
  regions in RemoveSupportedRegions that are not supported (moto answered 500).
- DescribeVpcEndpointServiceConfigurations applies Filters (service-name, service-id, service-state,
  tag:<key>, tag-key; https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeVpcEndpointServiceConfigurations.html);
  moto ignored them.
"""
import json

from moto.core.responses import ActionResult
from moto.ec2.exceptions import EC2ClientError
from moto.ec2.models.vpc_service_configuration import VPCServiceConfiguration
from moto.ec2.responses import EC2Response
from moto.ec2.utils import generic_filter
from moto.moto_api._internal import mock_random

from .. import dns
from ..state import CLIENT_TOKENS, CONFIG, SCHEDULER
from . import cross_region
from .ec2_privatelink import owned_config, zone_ids

PENDING_VERIFICATION = "pendingVerification"


# ---------------------------------------------------------------------------- model

def _init_config(config):
    """Pending -> Available after `service_pending`; own region supported; DNS check pending."""
    config.service_state = "Pending"

    def available():
        if config.service_state == "Pending":
            config.service_state = "Available"

    SCHEDULER.after(CONFIG.delay("service_pending"), available)
    cross_region.init_regions(config, config._supported_region_names)
    config.dns_verification = {"State": PENDING_VERIFICATION, "Type": "TXT",
                               "Value": f"vpce:{mock_random.get_random_string(20)}",
                               "Name": f"_{mock_random.get_random_string(20, lower_case=True)}"}


def _private_dns_name_configuration(config):
    if not config.private_dns_name:
        return None
    return dict(config.dns_verification)


def set_private_dns_name(config, name):
    """A new (or removed) private DNS name has to be verified again."""
    if name != config.private_dns_name:
        config.private_dns_name = name
        config.dns_verification["State"] = PENDING_VERIFICATION


def _patch_model():
    original_init = VPCServiceConfiguration.__init__

    def __init__(self, *args, **kwargs):
        original_init(self, *args, **kwargs)
        _init_config(self)

    VPCServiceConfiguration.__init__ = __init__
    VPCServiceConfiguration.private_dns_name_configuration = property(_private_dns_name_configuration)
    VPCServiceConfiguration.supported_regions = property(cross_region.region_details)
    VPCServiceConfiguration.remote_access_enabled = property(cross_region.remote_access_enabled)
    VPCServiceConfiguration.availability_zone_ids = property(
        lambda config: zone_ids(config.ec2_backend, config.availability_zones))


# ---------------------------------------------------------------------------- operations

def _fingerprint(response):
    """Every request parameter but the token, to compare a retry with the first call."""
    params = {k: v for k, v in response._get_params().items()
              if k not in ("ClientToken", "DryRun", "Action", "Version")}
    return json.dumps(params, sort_keys=True, default=str)


def verify_private_dns(config):
    """Verified when a published TXT record `Name.<domain>` carries `Value` for the private DNS
    name or one of its parent domains (AWS lets you verify a parent domain)."""
    if not config.private_dns_name:
        return  # nothing to verify; the emulator does not guess AWS's error for this case
    labels = config.private_dns_name.rstrip(".").split(".")
    expected = config.dns_verification
    for i in range(len(labels) - 1):
        record = f"{expected['Name']}.{'.'.join(labels[i:])}"
        if expected["Value"] in dns.TXT_RECORDS.get(record):
            expected["State"] = "verified"
            return


def modify_configuration(backend, param):
    """`param(name, default)` reads the request (EC2Response._get_param)."""
    config = owned_config(backend, param("ServiceId", None))
    backend.modify_vpc_endpoint_service_configuration(
        service_id=config.id,
        acceptance_required=param("AcceptanceRequired", None),
        private_dns_name=None,
        add_network_lbs=param("AddNetworkLoadBalancerArns", []),
        remove_network_lbs=param("RemoveNetworkLoadBalancerArns", []),
        add_gateway_lbs=param("AddGatewayLoadBalancerArns", []),
        remove_gateway_lbs=param("RemoveGatewayLoadBalancerArns", []),
        add_supported_regions=[],
        remove_supported_regions=[],
    )
    for region in param("AddSupportedRegions", []):
        cross_region.add_region(config, region)
    for region in param("RemoveSupportedRegions", []):
        cross_region.remove_region(config, region)
    if param("PrivateDnsName", None) is not None:
        set_private_dns_name(config, param("PrivateDnsName", None))
    elif str(param("RemovePrivateDnsName", "")).lower() == "true":
        set_private_dns_name(config, None)


# ---------------------------------------------------------------------------- responses

def _response_methods():
    original_create = EC2Response.create_vpc_endpoint_service_configuration

    def create_vpc_endpoint_service_configuration(self):
        backend = self.ec2_backend
        token = self._get_param("ClientToken")
        fingerprint = _fingerprint(self)
        action = "CreateVpcEndpointServiceConfiguration"
        try:
            config = CLIENT_TOKENS.recall(backend.account_id, backend.region_name, action, token,
                                          fingerprint)
        except ValueError as mismatch:
            raise EC2ClientError("IdempotentParameterMismatch", str(mismatch))
        if config is None:
            before = set(backend.configurations)
            original_create(self)
            (new_id,) = set(backend.configurations) - before
            config = backend.configurations[new_id]
            CLIENT_TOKENS.remember(backend.account_id, backend.region_name, action, token,
                                   fingerprint, config)
        result = {"ServiceConfiguration": config}
        if token:
            result["ClientToken"] = token
        return ActionResult(result)

    def describe_vpc_endpoint_service_configurations(self):
        configs = self.ec2_backend.describe_vpc_endpoint_service_configurations(
            self._get_param("ServiceIds", []))
        configs = generic_filter(self._filters_from_querystring(), configs)
        return ActionResult({"ServiceConfigurations": configs})

    def modify_vpc_endpoint_service_configuration(self):
        modify_configuration(self.ec2_backend, self._get_param)
        return ActionResult({"Return": True})

    def start_vpc_endpoint_service_private_dns_verification(self):
        verify_private_dns(owned_config(self.ec2_backend, self._get_param("ServiceId")))
        return ActionResult({"ReturnValue": True})

    return {name: fn for name, fn in locals().items() if callable(fn) and name != "original_create"}


def install():
    _patch_model()
    for name, method in _response_methods().items():
        setattr(EC2Response, name, method)
