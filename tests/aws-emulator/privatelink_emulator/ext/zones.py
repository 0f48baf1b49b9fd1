"""Availability Zone names are mapped to physical zones independently for each account; zone ids
name the physical zones alike in every account ("AZ IDs for your AWS resources",
https://docs.aws.amazon.com/ram/latest/userguide/working-with-az-ids.html). moto maps every account's
names to the same ids, so a provider that compares zone names across accounts passed here and
failed on AWS.

The emulator's mapping: accounts with an odd id swap the ids of neighbouring names (a<->b, c<->d,
e<->f); others keep moto's. So the two test accounts (111111111111, 222222222222) name the same pair of
physical zones `us-east-1a`/`us-east-1b` the other way round: the article's two-zone networks still
meet, while a name taken for an id, or a name compared across accounts, shows. DescribeAvailabilityZones,
a subnet's AvailabilityZoneId and CreateSubnet's AvailabilityZoneId follow the account's mapping."""
from moto.ec2.models.availability_zones_and_regions import RegionsAndZonesBackend, Zone
from moto.ec2.models.subnets import Subnet, SubnetBackend
from moto.utilities.utils import filter_resources

_MAPPED = {}


def _swaps(account_id):
    return account_id.isdigit() and int(account_id) % 2 == 1


def account_zones(account_id, region):
    """The zones of `region` as `account_id` names them."""
    key = (account_id, region)
    if key not in _MAPPED:
        zones = RegionsAndZonesBackend.zones.get(region, [])
        mapped = []
        for index, zone in enumerate(zones):
            other = index ^ 1 if _swaps(account_id) and (index ^ 1) < len(zones) else index
            mapped.append(Zone(zone.name, zone.region_name, zones[other].zone_id, zone.zone_type))
        _MAPPED[key] = mapped
    return _MAPPED[key]


def zone_id_of(account_id, region, name):
    return next((z.zone_id for z in account_zones(account_id, region) if z.name == name), None)


def install():
    def describe_availability_zones(self, filters=None, zone_names=None, zone_ids=None):
        zones = account_zones(self.account_id, self.region_name)
        pairs = (("zone-id", "zone_id"), ("zone-type", "zone_type"), ("zone-name", "name"),
                 ("region-name", "region_name"), ("state", "state"))
        result = filter_resources(zones, filters, pairs) if filters else zones
        result = [z for z in result if not zone_ids or z.zone_id in zone_ids]
        return [z for z in result if not zone_names or z.name in zone_names]

    original_create_subnet = SubnetBackend.create_subnet

    def create_subnet(self, vpc_id, cidr_block, ipv6_cidr_block=None, availability_zone=None,
                      availability_zone_id=None, *args, **kwargs):
        if availability_zone_id and not availability_zone:
            named = [z.name for z in account_zones(self.account_id, self.region_name)
                     if z.zone_id == availability_zone_id]
            if named:  # an unknown id is left to moto's InvalidAvailabilityZone
                availability_zone, availability_zone_id = named[0], None
        return original_create_subnet(self, vpc_id, cidr_block, ipv6_cidr_block, availability_zone,
                                      availability_zone_id, *args, **kwargs)

    RegionsAndZonesBackend.describe_availability_zones = describe_availability_zones
    SubnetBackend.create_subnet = create_subnet
    Subnet.availability_zone_id = property(
        lambda subnet: zone_id_of(subnet.ec2_backend.account_id, subnet.ec2_backend.region_name,
                                  subnet.availability_zone) or subnet._availability_zone.zone_id)
