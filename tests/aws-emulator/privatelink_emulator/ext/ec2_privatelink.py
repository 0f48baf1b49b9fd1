"""PrivateLink behaviours of EC2 that moto 5.2.5 lacks or gets wrong.

AWS references followed here:
- Endpoint connection lifecycle and acceptance:
  https://docs.aws.amazon.com/vpc/latest/privatelink/configure-endpoint-service.html#accept-reject-connection-requests
- Endpoint states (pendingAcceptance | pending | available | deleting | deleted | rejected | failed):
  https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_VpcEndpoint.html
- DescribeVpcEndpointConnections / AcceptVpcEndpointConnections / RejectVpcEndpointConnections:
  https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeVpcEndpointConnections.html
  https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_AcceptVpcEndpointConnections.html
  https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_RejectVpcEndpointConnections.html
- Permissions (allowed principals) decide who can see and connect to a service:
  https://docs.aws.amazon.com/vpc/latest/privatelink/configure-endpoint-service.html#add-remove-permissions
  https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeVpcEndpointServices.html
- Deleting a service with Available/PendingAcceptance connections is refused:
  https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DeleteVpcEndpointServiceConfigurations.html
- Endpoint DNS names (regional and zonal):
  https://docs.aws.amazon.com/vpc/latest/privatelink/privatelink-access-aws-services.html#interface-endpoint-dns-hostnames
"""
import re
import types

from moto.core.responses import ActionResult
from moto.ec2.exceptions import EC2ClientError, InvalidServiceName, UnknownVpcEndpointService
from moto.ec2.models import EC2Backend, ec2_backends
from moto.ec2.responses import EC2Response
from moto.moto_api._internal import mock_random

from ..state import CALLER, CONFIG, HOLDS, SCHEDULER
from . import cross_region
from .filters import select

# The ServiceRegion of the CreateVpcEndpoint being served (requests are serialised by
# state.LOCK), for the backend's create_vpc_endpoint, which moto calls without it.
REQUESTED = types.SimpleNamespace(service_region=None)

# Connection states that keep a service from being deleted (DeleteVpcEndpointServiceConfigurations).
LIVE_CONNECTION_STATES = {"pendingAcceptance", "pending", "available"}
# States in which an endpoint still has its network interfaces.
ENDPOINT_WITH_ENIS = {"pendingAcceptance", "pending", "available", "deleting", "rejected"}

# Route 53 hosted zone of the regional vpce DNS names (us-east-1's is documented in the
# PrivateLink DNS pages); other regions get a stable placeholder id.
_VPCE_HOSTED_ZONES = {"us-east-1": "Z7HUB22UULQXV"}


# ---------------------------------------------------------------------------- lookups

def find_service(service_name, region):
    """(owner_account, config) of an endpoint service configuration with that name, any account."""
    for account, backend_region, backend in ec2_backends.iter_backends():
        if backend_region != region:
            continue
        for config in list(backend.configurations.values()):
            if config.service_name == service_name:
                return account, config
    return None, None


def is_allowed(config, owner, account):
    """Whether the caller (state.CALLER, the account root when unset) may see and connect to the
    service: its owner, `*`, the caller's account root (arn:aws:iam::<account>:root admits every
    principal of that account), or the caller's own role ARN. A role or user ARN admits only that
    principal, not its account ("Manage permissions",
    https://docs.aws.amazon.com/vpc/latest/privatelink/configure-endpoint-service.html#add-remove-permissions)."""
    if account == owner:
        return True
    caller = CALLER.arn or f"arn:aws:iam::{account}:root"
    for principal in config.principals:
        if principal == "*" or principal == caller:
            return True
        if re.fullmatch(rf"arn:aws[\w-]*:iam::{account}:root", principal):
            return True
    return False


def visible_configs(backend, service_region=None):
    """The configurations in `service_region` (the caller's Region by default) this account may
    use: its own and other accounts' ones that allow it; in another Region only those that
    support the caller's Region now (cross_region.serves)."""
    service_region = service_region or backend.region_name
    remote = service_region != backend.region_name
    visible = {}
    for account, region, other in ec2_backends.iter_backends():
        if region != service_region:
            continue
        for config in list(other.configurations.values()):
            if account != backend.account_id and not is_allowed(config, account, backend.account_id):
                continue
            if remote and not cross_region.serves(config, backend.region_name):
                continue
            visible[config.id] = config
    return visible


def zone_ids(backend, zone_names):
    """The ids of the physical zones the account of `backend` calls `zone_names`."""
    ids = {z.name: z.zone_id for z in backend.describe_availability_zones()}
    return [ids[name] for name in zone_names if name in ids]


def endpoints_of_service(config):
    """Every endpoint in any account connected to this service: in the service's Region, or in
    another Region through ServiceRegion (cross_region.py)."""
    for _account, _region, backend in ec2_backends.iter_backends():
        for endpoint in list(backend.vpc_end_points.values()):
            if (endpoint.service_name == config.service_name and endpoint.state != "deleted"
                    and cross_region.endpoint_service_region(endpoint) == config.ec2_backend.region_name):
                yield endpoint


def endpoint_hostnames():
    """DNS name -> private IPs of its endpoint's ENIs, for the emulator's DNS server."""
    records = {}
    for _account, _region, backend in ec2_backends.iter_backends():
        for endpoint in list(backend.vpc_end_points.values()):
            if endpoint.state not in ("available",):
                continue
            ips = [backend.enis[e].private_ip_address for e in endpoint.network_interface_ids if e in backend.enis]
            for entry in endpoint.dns_entries or []:
                records[entry["dns_name"]] = ips
    return records


# ---------------------------------------------------------------------------- state changes

def set_state(endpoint, state, delay_key=None, then=None):
    """Sets the endpoint state and, with a delay key, schedules the next step: `then` is the
    next state's name or a function of the endpoint. The step is skipped if the state changed
    meanwhile (e.g. rejected or deleted while pending)."""
    endpoint.state = state
    if not delay_key:
        return

    def advance():
        if endpoint.state != state:
            return
        if callable(then):
            then(endpoint)
        else:
            endpoint.state = then

    SCHEDULER.after(CONFIG.delay(delay_key), advance)


def release_interface(backend, eni_id):
    """Deletes a requester-managed ENI and frees its address in the subnet."""
    eni = backend.enis.pop(eni_id, None)
    if eni is not None and eni.subnet is not None:
        eni.subnet.del_subnet_ip(eni.private_ip_address)


def hold_interfaces(backend, eni_ids):
    """The requester-managed ENIs of a deleted endpoint or load balancer stay, in use and with
    their security groups, until AWS releases them `eni_release` seconds later
    (https://docs.aws.amazon.com/vpc/latest/privatelink/delete-interface-endpoint.html): until
    then DescribeNetworkInterfaces lists them (filter `group-id`,
    https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeNetworkInterfaces.html),
    so a client can wait for their release by reading instead of retrying DeleteSecurityGroup."""
    for eni_id in eni_ids:
        eni = backend.enis.get(eni_id)
        if eni is not None:
            eni.status = "in-use"

    def release():
        for eni_id in eni_ids:
            release_interface(backend, eni_id)

    if CONFIG.delay("eni_release") > 0:
        SCHEDULER.after(CONFIG.delay("eni_release"), release)
    else:
        release()


def load_balancer_interfaces(backend, lb):
    """The ENIs AWS made for a network load balancer, one per subnet, as AWS lists them (moto
    makes none): requester-managed, described `ELB net/<name>/<id>`, with the balancer's
    security groups. Made when it is deleted, for hold_interfaces."""
    ids = []
    for subnet in lb.subnets:
        eni = backend.create_network_interface(subnet, None, group_ids=list(lb.security_groups or []))
        address = eni.subnet.get_available_subnet_ip(eni)
        eni.private_ip_address = address
        eni.private_ip_addresses = [{"Primary": True, "PrivateIpAddress": address}]
        eni.description = f"ELB net/{lb.name}/{lb.arn.rsplit('/', 1)[-1]}"
        eni.interface_type = "network_load_balancer"
        eni.requester_managed = True
        ids.append(eni.id)
    return ids


def remove_endpoint(endpoint):
    """deleting -> gone: the endpoint disappears; its ENIs' security groups stay in use for
    `eni_release` seconds (AWS releases requester-managed ENIs late)."""
    backend = endpoint.ec2_backend
    backend.vpc_end_points.pop(endpoint.id, None)
    endpoint.state = "deleted"  # as a remembered ClientToken answers it
    hold_interfaces(backend, list(endpoint.network_interface_ids))
    HOLDS.add(backend.account_id, backend.region_name,
              list(endpoint.security_group_ids) + list(endpoint.subnet_ids or []),
              CONFIG.delay("eni_release"), f"network interfaces of deleted endpoint {endpoint.id}")


# ---------------------------------------------------------------------------- CreateVpcEndpoint

def check_service_name(backend, service_name, service_region=None):
    """Unknown names, services the caller is not an allowed principal of, and services in
    another Region (`service_region`) that do not support the caller's Region now fail with
    InvalidServiceName as in AWS (the service is invisible to that account)."""
    service_region = service_region or backend.region_name
    owner, config = find_service(service_name, service_region)
    if config is not None:
        if not is_allowed(config, owner, backend.account_id):
            raise InvalidServiceName(service_name)
        if service_region != backend.region_name and not cross_region.serves(config, backend.region_name):
            raise InvalidServiceName(service_name)
        return config
    if service_region != backend.region_name or default_service(backend, service_name) is None:
        raise InvalidServiceName(service_name)
    return None


def default_service(backend, service_name):
    """moto's description of an AWS-managed service (com.amazonaws.<region>.<name>), or None."""
    for service in backend._collect_default_endpoint_services(backend.account_id, backend.region_name):
        if service["ServiceName"] == service_name:
            return service
    return None


def check_zones(backend, config, subnet_ids, cross=False):
    """An interface endpoint takes one subnet per Availability Zone (DuplicateSubnetsInSameZone,
    https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html), each in a zone
    the service's NLB uses (https://docs.aws.amazon.com/vpc/latest/privatelink/create-interface-endpoint.html).
    Zones are compared by id: the consumer's zone names are not the owner's (zones.py). A
    cross-Region endpoint (`cross`) is not compared with the service's zones (cross_region.py)."""
    zones = [backend.get_subnet(subnet_id).availability_zone_id for subnet_id in subnet_ids or []]
    if len(set(zones)) != len(zones):
        raise EC2ClientError("DuplicateSubnetsInSameZone",
                             "Found another VPC endpoint subnet in the availability zone. VPC endpoint "
                             "subnets should be in different availability zones supported by the VPC endpoint service.")
    for subnet_id, zone in zip(subnet_ids or [], zones):
        if (not cross and config is not None and config.availability_zones
                and zone not in config.availability_zone_ids):
            raise EC2ClientError(
                "InvalidParameter",
                f"The VPC endpoint service {config.service_name} does not support the availability "
                f"zone of the subnet: {subnet_id}.")


def _base_dns_name(backend, config, service_name):
    if config is not None:
        return config.endpoint_dns_name
    service = default_service(backend, service_name)
    if service and service.get("BaseEndpointDnsNames"):
        return service["BaseEndpointDnsNames"][0]
    return f"{service_name.split('.')[-1]}.{backend.region_name}.vpce.amazonaws.com"


def dns_entries(backend, endpoint, config):
    """One regional name plus one per zone, as AWS lists them for an interface endpoint (a
    cross-Region endpoint has the regional name only, cross_region.py), plus the service's
    private DNS name while private DNS is enabled. The random part of the names is
    drawn once per endpoint, so the names stay stable when subnets or private DNS change."""
    if not getattr(endpoint, "dns_prefix", None):
        endpoint.dns_prefix = f"{endpoint.id}-{mock_random.get_random_hex(8)}"
        endpoint.dns_zone_id = _VPCE_HOSTED_ZONES.get(backend.region_name,
                                                      "Z" + mock_random.get_random_hex(12).upper())
    base, prefix, zone_id = _base_dns_name(backend, config, endpoint.service_name), endpoint.dns_prefix, endpoint.dns_zone_id
    entries = [{"dns_name": f"{prefix}.{base}", "hosted_zone_id": zone_id}]
    for subnet_id in [] if cross_region.is_cross_region(endpoint) else endpoint.subnet_ids or []:
        zone = backend.get_subnet(subnet_id).availability_zone
        entries.append({"dns_name": f"{prefix}-{zone}.{base}", "hosted_zone_id": zone_id})
    if endpoint.private_dns_enabled and config is not None and config.private_dns_name:
        entries.append({"dns_name": config.private_dns_name, "hosted_zone_id": zone_id})
    return entries


def set_up_interface(endpoint, eni):
    """An endpoint ENI gets an address of its subnet and AWS's requester-managed description
    (its groups: sync_interface_groups)."""
    address = eni.subnet.get_available_subnet_ip(eni)
    eni.private_ip_address = address
    eni.private_ip_addresses = [{"Primary": True, "PrivateIpAddress": address}]
    eni.description = f"VPC Endpoint Interface {endpoint.id}"
    eni.interface_type = "vpc_endpoint"
    eni.requester_managed = True


def sync_interface_groups(backend, endpoint):
    """The endpoint's ENIs carry exactly the endpoint's security groups (the VPC's default group
    when none is given), so DeleteSecurityGroup sees what uses a group."""
    if not endpoint.security_group_ids:
        endpoint.security_group_ids = [backend.get_default_security_group(endpoint.vpc_id).id]
    groups = [backend.get_security_group_from_id(g) for g in endpoint.security_group_ids]
    for eni_id in endpoint.network_interface_ids:
        backend.enis[eni_id]._group_set = [g for g in groups if g is not None]


def _initial_state(endpoint, config):
    if config is not None and config.acceptance_required:
        set_state(endpoint, "pendingAcceptance")
    else:
        set_state(endpoint, "pending", "endpoint_pending", "available")


def _patch_create_vpc_endpoint():
    original = EC2Backend.create_vpc_endpoint

    def create_vpc_endpoint(self, vpc_id, service_name, endpoint_type, *args, **kwargs):
        kind = (endpoint_type or "Gateway").lower()
        if kind not in ("interface", "gatewayloadbalancer"):
            return original(self, vpc_id, service_name, endpoint_type, *args, **kwargs)
        service_region = REQUESTED.service_region or self.region_name
        config = check_service_name(self, service_name, service_region)
        check_zones(self, config, kwargs.get("subnet_ids"), cross=service_region != self.region_name)
        endpoint = original(self, vpc_id, service_name, endpoint_type, *args, **kwargs)
        endpoint.service_region = service_region
        for eni_id in endpoint.network_interface_ids:
            set_up_interface(endpoint, self.enis[eni_id])
        sync_interface_groups(self, endpoint)
        endpoint.dns_entries = dns_entries(self, endpoint, config)
        _initial_state(endpoint, config)
        return endpoint

    EC2Backend.create_vpc_endpoint = create_vpc_endpoint


# ---------------------------------------------------------------------------- DeleteVpcEndpoints

def delete_endpoints(backend, endpoint_ids):
    """Endpoints go to `deleting`, then disappear after `endpoint_deleting` seconds.
    Unknown ids come back as Unsuccessful items
    (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DeleteVpcEndpoints.html)."""
    unsuccessful = []
    for endpoint_id in endpoint_ids:
        endpoint = backend.vpc_end_points.get(endpoint_id)
        if endpoint is None or endpoint.state == "deleted":
            unsuccessful.append(_unsuccessful(endpoint_id, "InvalidVpcEndpoint.NotFound",
                                              f"The Vpc Endpoint Id '{endpoint_id}' does not exist"))
            continue
        if endpoint.state == "deleting":
            continue
        if (endpoint.vpc_endpoint_type or "").lower() == "gateway":
            backend.delete_vpc_endpoints(vpce_ids=[endpoint_id])  # moto's route clean-up
            backend.vpc_end_points.pop(endpoint_id, None)
            continue
        set_state(endpoint, "deleting", "endpoint_deleting", remove_endpoint)
    return unsuccessful


def _unsuccessful(resource_id, code, message):
    return {"ResourceId": resource_id, "Error": {"Code": code, "Message": message}}


# ---------------------------------------------------------------------------- producer side

def owned_config(backend, service_id):
    config = backend.configurations.get(service_id)
    if config is None:
        raise UnknownVpcEndpointService(service_id)
    return config


def connection_of(config, endpoint):
    """A VpcEndpointConnection as the service owner sees the consumer's endpoint
    (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_VpcEndpointConnection.html)."""
    return {
        "ServiceId": config.id,
        "VpcEndpointId": endpoint.id,
        "VpcEndpointOwner": endpoint.ec2_backend.account_id,
        "VpcEndpointState": endpoint.state,
        "CreationTimestamp": endpoint.creation_timestamp,
        "DnsEntries": [{"DnsName": e["dns_name"], "HostedZoneId": e["hosted_zone_id"]}
                       for e in endpoint.dns_entries or []],
        "NetworkLoadBalancerArns": list(config.network_load_balancer_arns),
        "GatewayLoadBalancerArns": list(config.gateway_load_balancer_arns),
        "IpAddressType": "ipv4",
        "VpcEndpointConnectionId": getattr(endpoint, "connection_id", None) or _connection_id(endpoint),
        "VpcEndpointRegion": endpoint.ec2_backend.region_name,
    }


def _connection_id(endpoint):
    endpoint.connection_id = f"vpce-con-{mock_random.get_random_hex(17)}"
    return endpoint.connection_id


_CONNECTION_FILTERS = {
    "service-id": lambda c: c["ServiceId"],
    "vpc-endpoint-id": lambda c: c["VpcEndpointId"],
    "vpc-endpoint-owner": lambda c: c["VpcEndpointOwner"],
    "vpc-endpoint-state": lambda c: c["VpcEndpointState"],
    "vpc-endpoint-region": lambda c: c["VpcEndpointRegion"],
    "ip-address-type": lambda c: c["IpAddressType"],
}


def describe_connections(backend, filters):
    connections = [connection_of(config, endpoint) for config in list(backend.configurations.values())
                   for endpoint in endpoints_of_service(config)]
    return select(connections, filters, _CONNECTION_FILTERS)


def paginate(items, max_results, next_token):
    """One page of `items` and the next page's token. AWS pages DescribeVpcEndpointConnections
    (MaxResults 5-1000, NextToken:
    https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeVpcEndpointConnections.html)
    and may answer fewer items than asked with a token; the emulator's page size is MaxResults or
    the `page_size` setting (POST /_emulator/config), whichever is smaller, so a caller that does
    not follow NextToken misses items here as it would on AWS."""
    size = CONFIG.page_size
    if max_results:
        size = min(size, int(max_results)) if size else int(max_results)
    start = int(next_token or 0)
    if not size:
        return items[start:], None
    end = start + size
    return items[start:end], (str(end) if end < len(items) else None)


def _connected_endpoint(config, endpoint_id):
    for endpoint in endpoints_of_service(config):
        if endpoint.id == endpoint_id:
            return endpoint
    return None


def _change_connections(backend, service_id, endpoint_ids, change):
    """Applies `change` to each endpoint connected to the caller's service; `change(endpoint)`
    answers whether the endpoint's state allowed it. Answers the Unsuccessful items."""
    config = owned_config(backend, service_id)
    unsuccessful = []
    for endpoint_id in endpoint_ids:
        endpoint = _connected_endpoint(config, endpoint_id)
        if endpoint is None:
            unsuccessful.append(_unsuccessful(endpoint_id, "InvalidVpcEndpointId.NotFound",
                                              f"The VpcEndpoint Id '{endpoint_id}' does not exist"))
        elif not change(endpoint):
            unsuccessful.append(_unsuccessful(endpoint_id, "IncorrectState",
                                              f"Endpoint {endpoint_id} is in state {endpoint.state}"))
    return unsuccessful


def _accept(endpoint):
    """pendingAcceptance -> pending, then available after `endpoint_acceptance` seconds.
    Accepting an already accepted endpoint is a no-op."""
    if endpoint.state == "pendingAcceptance":
        set_state(endpoint, "pending", "endpoint_acceptance", "available")
    return endpoint.state in ("pending", "available")


def _reject(endpoint):
    """Rejected endpoints stay in the consumer account in state `rejected` until deleted."""
    if endpoint.state in LIVE_CONNECTION_STATES:
        set_state(endpoint, "rejected")
    return endpoint.state == "rejected"


def accept_connections(backend, service_id, endpoint_ids):
    return _change_connections(backend, service_id, endpoint_ids, _accept)


def reject_connections(backend, service_id, endpoint_ids):
    return _change_connections(backend, service_id, endpoint_ids, _reject)


def delete_service_configurations(backend, service_ids):
    unsuccessful = []
    for service_id in service_ids:
        config = backend.configurations.get(service_id)
        if config is None:
            unsuccessful.append(_unsuccessful(service_id, "InvalidVpcEndpointService.NotFound",
                                              f"The VpcEndpointService Id '{service_id}' does not exist"))
        elif any(e.state in LIVE_CONNECTION_STATES for e in endpoints_of_service(config)):
            unsuccessful.append(_unsuccessful(
                service_id, "ExistingVpcEndpointConnections",
                f"Service {service_id} has existing active VPC Endpoint connections!"))
        else:
            backend.configurations.pop(service_id).service_state = "Deleted"
    return unsuccessful


# ---------------------------------------------------------------------------- responses

def _response_methods():
    def describe_vpc_endpoint_connections(self):
        connections = describe_connections(self.ec2_backend, self._filters_from_querystring())
        page, next_token = paginate(connections, self._get_param("MaxResults"), self._get_param("NextToken"))
        result = {"VpcEndpointConnections": page}
        if next_token:
            result["NextToken"] = next_token
        return ActionResult(result)

    def accept_vpc_endpoint_connections(self):
        unsuccessful = accept_connections(self.ec2_backend, self._get_param("ServiceId"),
                                          self._get_param("VpcEndpointIds", []))
        return ActionResult({"Unsuccessful": unsuccessful})

    def reject_vpc_endpoint_connections(self):
        unsuccessful = reject_connections(self.ec2_backend, self._get_param("ServiceId"),
                                          self._get_param("VpcEndpointIds", []))
        return ActionResult({"Unsuccessful": unsuccessful})

    def delete_vpc_endpoint_service_configurations(self):
        unsuccessful = delete_service_configurations(self.ec2_backend, self._get_param("ServiceIds", []))
        return ActionResult({"Unsuccessful": unsuccessful})

    def delete_vpc_endpoints(self):
        unsuccessful = delete_endpoints(self.ec2_backend, self._get_param("VpcEndpointIds", []))
        return ActionResult({"Unsuccessful": unsuccessful})

    return {name: fn for name, fn in locals().items() if callable(fn)}


def install():
    _patch_create_vpc_endpoint()
    for name, method in _response_methods().items():
        setattr(EC2Response, name, method)
