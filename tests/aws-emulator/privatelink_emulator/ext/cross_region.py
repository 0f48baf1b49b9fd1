"""Cross-Region PrivateLink: an endpoint service that lists other Regions in SupportedRegions can be
reached from those Regions by an interface endpoint created with ServiceRegion. moto 5.2.5 kept the
Region names only (each `Available` at once) and let no endpoint reach a service in another Region.

AWS pages followed:
- Supported Regions and their states: SupportedRegionDetail.ServiceState is Pending | Available |
  Deleting | Deleted | Failed | Closed
  (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_SupportedRegionDetail.html);
  ServiceConfiguration.SupportedRegions and RemoteAccessEnabled
  (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_ServiceConfiguration.html);
  ModifyVpcEndpointServiceConfiguration AddSupportedRegions / RemoveSupportedRegions
  (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_ModifyVpcEndpointServiceConfiguration.html);
  the provider enables cross-Region access per Region
  (https://docs.aws.amazon.com/vpc/latest/privatelink/privatelink-share-your-services.html#endpoint-service-cross-region,
  https://docs.aws.amazon.com/vpc/latest/privatelink/configure-endpoint-service.html#endpoint-service-cross-region).
- The consumer names the service's Region: CreateVpcEndpoint `ServiceRegion` ("the Region where the
  service is hosted", the caller's Region by default,
  https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateVpcEndpoint.html),
  DescribeVpcEndpointServices `ServiceRegions`
  (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeVpcEndpointServices.html),
  VpcEndpoint.ServiceRegion
  (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_VpcEndpoint.html).
  A service in another Region named without ServiceRegion, or from a Region it does not support,
  is `InvalidServiceName` ("The Vpc Endpoint Service '...' does not exist"), the answer users
  report (https://github.com/hashicorp/terraform-provider-aws/pull/40583,
  https://github.com/hashicorp/terraform-provider-aws/issues/42970); AWS documents no other code.
- Zones: a cross-Region endpoint's interfaces are in the consumer's own zones, which cannot be
  the service's (zone ids are per Region), so the service-zone rule of same-Region endpoints does
  not apply; one subnet per zone still does
  (https://aws.amazon.com/blogs/networking-and-content-delivery/introducing-cross-region-connectivity-for-aws-privatelink/).
  Only the Regional DNS name is given (same blog: cross-Region endpoints have no zonal names).

The emulator's choices where the pages are silent:
- A Region added is `Pending`, then `Available` after `service_pending` (as the service itself);
  consumers there connect only once it is `Available`.
- A Region removed while endpoints from it are connected (pendingAcceptance, pending, available)
  stays listed as `Deleting` until the last of them is gone; they keep their connection (the
  pages say nothing about cutting them off), and no new endpoint from it is admitted. Without
  such endpoints it is gone at once.
"""
from ..state import CONFIG, SCHEDULER

PENDING, AVAILABLE, DELETING = "Pending", "Available", "Deleting"
LIVE_CONNECTION_STATES = {"pendingAcceptance", "pending", "available"}


def own_region(config):
    return config.ec2_backend.region_name


def init_regions(config, requested):
    """The service's own Region is always supported and Available; the requested others start
    Pending."""
    config.region_states = {own_region(config): AVAILABLE}
    for region in requested:
        add_region(config, region)


def add_region(config, region):
    if config.region_states.get(region) in (PENDING, AVAILABLE):
        return
    config.region_states[region] = PENDING

    def available():
        if config.region_states.get(region) == PENDING:
            config.region_states[region] = AVAILABLE

    SCHEDULER.after(CONFIG.delay("service_pending"), available)


def remove_region(config, region):
    """The own Region cannot be removed; a Region not supported is ignored (moto answered 500)."""
    if region != own_region(config) and region in config.region_states:
        config.region_states[region] = DELETING


def serves(config, region):
    """Whether consumers in `region` may connect now."""
    return config.region_states.get(region) == AVAILABLE


def _connected_from(config, region):
    from .ec2_privatelink import endpoints_of_service
    return any(e.ec2_backend.region_name == region and e.state in LIVE_CONNECTION_STATES
               for e in endpoints_of_service(config))


def region_details(config):
    """SupportedRegions as AWS lists them; a removed Region is listed (Deleting) while endpoints
    from it are still connected."""
    listed = []
    for region, state in list(config.region_states.items()):
        if state == DELETING and not _connected_from(config, region):
            del config.region_states[region]
            continue
        listed.append({"Region": region, "ServiceState": state})
    return listed


def remote_access_enabled(config):
    return any(region != own_region(config) and state == AVAILABLE
               for region, state in config.region_states.items())


def endpoint_service_region(endpoint):
    """The Region of the service an endpoint connects to (its own Region unless ServiceRegion
    named another)."""
    return getattr(endpoint, "service_region", None) or endpoint.ec2_backend.region_name


def is_cross_region(endpoint):
    return endpoint_service_region(endpoint) != endpoint.ec2_backend.region_name
