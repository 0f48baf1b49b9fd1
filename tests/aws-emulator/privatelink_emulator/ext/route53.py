"""Route 53 private hosted zones as PrivateLinkConsumer's `hostnameAliases` use them: a private
zone for one name, associated with the consumer VPC, holding an alias A record to the interface
endpoint. moto 5.2.5 serves the calls but checks little; the emulator adds:

- CreateHostedZone (https://docs.aws.amazon.com/Route53/latest/APIReference/API_CreateHostedZone.html):
  * a CallerReference used before is `HostedZoneAlreadyExists` ("Amazon Route 53 returns this error
    when a hosted zone has already been created with the specified CallerReference"); moto made a
    second zone;
  * a private zone needs a VPC of the caller's account in that Region (`InvalidVPCId`: "The VPC ID
    that you specified either isn't a valid ID or the current account is not authorized to access
    this VPC");
  * `ConflictingDomainExists` when "a hosted zone with the specified name already exists and is
    already associated with the Amazon VPC that you specified".
- AssociateVPCWithHostedZone
  (https://docs.aws.amazon.com/Route53/latest/APIReference/API_AssociateVPCWithHostedZone.html): the
  same VPC and conflict checks.
- ChangeResourceRecordSets
  (https://docs.aws.amazon.com/Route53/latest/APIReference/API_ChangeResourceRecordSets.html,
  https://docs.aws.amazon.com/Route53/latest/APIReference/API_AliasTarget.html): an alias to a VPC
  endpoint must name one of the endpoint's DnsEntries with its hosted zone id, else
  `InvalidChangeBatch` ("Tried to create an alias that targets ..., but the alias target name does
  not lie within the target zone"); moto stored any target.
- Resolution inside a VPC (https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/hosted-zone-private-considerations.html):
  a private zone associated with the VPC whose name is the queried name or one of its parents
  answers for it, the most specific one wins, and a name it has no record for does not fall back to
  public DNS (NXDOMAIN). An alias A record answers the target's addresses. The emulator's UDP DNS
  server is the view from outside every VPC (the producer resolving the proxy), so private zones
  are answered only by `resolve_in_vpc` (control API `GET /_emulator/dns/resolve?hostname=&vpc=`).
- REST paths are named after their operations in the call log (`rest_action`), so reads are not
  logged as writes.
"""
import re

from moto.route53.exceptions import Route53ClientError
from moto.route53.models import Route53Backend, route53_backends

VPCE_SUFFIX = ".vpce.amazonaws.com"


def _norm(name):
    return (name or "").rstrip(".").lower()


class _Error(Route53ClientError):
    def __init__(self, code, message):
        super().__init__(code, message)


def _ec2_backend(account, region):
    from moto.ec2.models import ec2_backends
    return ec2_backends[account][region]


def _check_vpc(account, vpc_id, vpc_region):
    if not vpc_id or not vpc_region or vpc_id not in _ec2_backend(account, vpc_region).vpcs:
        raise _Error("InvalidVPCId", "The VPC ID that you specified either isn't a valid ID or the "
                                     "current account is not authorized to access this VPC.")


def _zones_on_vpc(vpc_id):
    for _account, _region, backend in route53_backends.iter_backends():
        for zone in list(backend.zones.values()):
            if zone.private_zone and any(v.get("vpc_id") == vpc_id for v in zone.vpcs):
                yield zone


def _check_conflict(name, vpc_id):
    if any(_norm(z.name) == _norm(name) for z in _zones_on_vpc(vpc_id)):
        raise _Error("ConflictingDomainExists",
                     f"A hosted zone with the name {_norm(name)} already exists and is already "
                     f"associated with the VPC {vpc_id}.")


def _endpoint_entries():
    """(dns name, hosted zone id) of every interface endpoint's DnsEntries."""
    from moto.ec2.models import ec2_backends
    entries = set()
    for _account, _region, backend in ec2_backends.iter_backends():
        for endpoint in list(backend.vpc_end_points.values()):
            if endpoint.state == "deleted":
                continue
            for entry in endpoint.dns_entries or []:
                entries.add((_norm(entry["dns_name"]), entry["hosted_zone_id"]))
    return entries


def _check_alias(zone_name, change):
    record = change.get("ResourceRecordSet") or {}
    target = record.get("AliasTarget")
    if change.get("Action") == "DELETE" or not target:
        return
    dns_name = _norm(target.get("DNSName"))
    if not dns_name.endswith(VPCE_SUFFIX):
        return
    if (dns_name, target.get("HostedZoneId")) not in _endpoint_entries():
        raise _Error("InvalidChangeBatch",
                     f"[Tried to create an alias that targets {dns_name}., type {record.get('Type')} "
                     f"in zone {target.get('HostedZoneId')}, but the alias target name does not lie "
                     f"within the target zone]")


def install():
    create = Route53Backend.create_hosted_zone
    associate = Route53Backend.associate_vpc_with_hosted_zone
    change = Route53Backend.change_resource_record_sets

    def create_hosted_zone(self, name, private_zone, caller_reference=None, vpcid=None, vpcregion=None,
                           comment=None, delegation_set_id=None):
        if caller_reference and any(z.caller_reference == caller_reference for z in self.zones.values()):
            raise _Error("HostedZoneAlreadyExists",
                         f"A hosted zone has already been created with the specified caller reference "
                         f"{caller_reference}.")
        if private_zone:
            _check_vpc(self.account_id, vpcid, vpcregion)
            _check_conflict(name, vpcid)
        return create(self, name, private_zone, caller_reference=caller_reference, vpcid=vpcid,
                      vpcregion=vpcregion, comment=comment, delegation_set_id=delegation_set_id)

    def associate_vpc_with_hosted_zone(self, zone_id, vpcid, vpcregion):
        zone = self.get_hosted_zone(zone_id)
        _check_vpc(self.account_id, vpcid, vpcregion)
        _check_conflict(zone.name, vpcid)
        return associate(self, zone_id, vpcid, vpcregion)

    def change_resource_record_sets(self, zoneid, change_list):
        zone = self.get_hosted_zone(zoneid)
        for item in change_list:
            _check_alias(zone.name, item)
        return change(self, zoneid, change_list)

    Route53Backend.create_hosted_zone = create_hosted_zone
    Route53Backend.associate_vpc_with_hosted_zone = associate_vpc_with_hosted_zone
    Route53Backend.change_resource_record_sets = change_resource_record_sets


def resolve_in_vpc(hostname, vpc_id, public_lookup):
    """Addresses of `hostname` as the Route 53 Resolver of `vpc_id` answers it; None is NXDOMAIN.
    `public_lookup(name)` is the answer from outside any VPC. Caller holds state.LOCK."""
    name = _norm(hostname)
    candidates = [z for z in _zones_on_vpc(vpc_id)
                  if name == _norm(z.name) or name.endswith("." + _norm(z.name))]
    if not candidates:
        return public_lookup(name)
    zone = max(candidates, key=lambda z: len(_norm(z.name)))
    for record in zone.rrsets:
        if _norm(record.name) != name or record.type != "A":
            continue
        if record.alias_target:
            return public_lookup(_norm(record.alias_target.get("DNSName")))
        return list(record.records)
    return None


def hosted_zones(backend):
    """Inventory: `<id> <name> (private|public)` of every zone in the backend."""
    return [f"{z.resource_id} {_norm(z.name)} ({'private' if z.private_zone else 'public'})"
            for z in backend.zones.values()]


_PATHS = [
    ("POST", r"/2013-04-01/hostedzone", "CreateHostedZone"),
    ("GET", r"/2013-04-01/hostedzone", "ListHostedZones"),
    ("GET", r"/2013-04-01/hostedzonesbyname", "ListHostedZonesByName"),
    ("GET", r"/2013-04-01/hostedzonesbyvpc", "ListHostedZonesByVPC"),
    ("GET", r"/2013-04-01/hostedzone/[^/]+", "GetHostedZone"),
    ("DELETE", r"/2013-04-01/hostedzone/[^/]+", "DeleteHostedZone"),
    ("POST", r"/2013-04-01/hostedzone/[^/]+", "UpdateHostedZoneComment"),
    ("POST", r"/2013-04-01/hostedzone/[^/]+/associatevpc", "AssociateVPCWithHostedZone"),
    ("POST", r"/2013-04-01/hostedzone/[^/]+/disassociatevpc", "DisassociateVPCFromHostedZone"),
    ("POST", r"/2013-04-01/hostedzone/[^/]+/rrset/?", "ChangeResourceRecordSets"),
    ("GET", r"/2013-04-01/hostedzone/[^/]+/rrset/?", "ListResourceRecordSets"),
    ("GET", r"/2013-04-01/tags/hostedzone/[^/]+", "ListTagsForResource"),
    ("POST", r"/2013-04-01/tags/hostedzone/[^/]+", "ChangeTagsForResource"),
    ("GET", r"/2013-04-01/change/[^/]+", "GetChange"),
]


def rest_action(method, path):
    """The Route 53 operation a REST request is
    (https://docs.aws.amazon.com/Route53/latest/APIReference/API_Operations_Amazon_Route_53.html)."""
    for verb, pattern, action in _PATHS:
        if verb == method and re.fullmatch(pattern, path):
            return action
    return None
