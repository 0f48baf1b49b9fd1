"""EC2 `Filter.N` over plain dicts, for the describe calls the emulator answers itself. As each
call's API reference describes its filters (e.g.
https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeVpcEndpointServices.html): an
item matches a filter when one of its values for that name matches one of the filter's values
(`*` and `?` are wildcards); every filter must match; `tag:<key>` and `tag-key` read the item's
`Tags`. An unknown filter name is InvalidParameterValue, as AWS answers."""
import fnmatch

from moto.ec2.exceptions import EC2ClientError


def _is_tag_filter(name):
    return name.startswith("tag:") or name == "tag-key"


def _values(item, name, fields):
    if name.startswith("tag:"):
        return [t["Value"] for t in item.get("Tags") or [] if t["Key"] == name[len("tag:"):]]
    if name == "tag-key":
        return [t["Key"] for t in item.get("Tags") or []]
    value = fields[name](item)
    return value if isinstance(value, list) else [value]


def _matches(item, name, patterns, fields):
    return any(fnmatch.fnmatchcase(str(value), pattern)
               for value in _values(item, name, fields) if value is not None
               for pattern in patterns)


def select(items, filters, fields, tags=False):
    """`filters`: {name: [values]} (EC2Response._filters_from_querystring); `fields`: {name:
    function of an item giving its value or values}; `tags`: whether tag filters apply."""
    for name in filters:
        if name not in fields and not (tags and _is_tag_filter(name)):
            raise EC2ClientError("InvalidParameterValue", f"The filter '{name}' is invalid")
    return [item for item in items
            if all(_matches(item, name, patterns, fields) for name, patterns in filters.items())]
