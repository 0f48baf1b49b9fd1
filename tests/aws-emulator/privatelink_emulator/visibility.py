"""Eventual consistency of EC2 and ELBv2 reads: for `visibility_lag` seconds after a create, a
Describe that names the new resource by id answers its NotFound error, as AWS may ("Eventual
consistency in the Amazon EC2 API": a resource just created can be reported as not existing;
https://docs.aws.amazon.com/ec2/latest/devguide/eventual-consistency.html). Applied by the server
around moto, which is always consistent."""
import re
import time

from . import errors
from .state import CONFIG

# Create action -> (service, element of its answer that holds the new id).
_CREATED = {
    "CreateSecurityGroup": ("ec2", "groupId"),
    "CreateVpcEndpoint": ("ec2", "vpcEndpointId"),
    "CreateVpcEndpointServiceConfiguration": ("ec2", "serviceId"),
    "CreateLoadBalancer": ("elbv2", "LoadBalancerArn"),
    "CreateTargetGroup": ("elbv2", "TargetGroupArn"),
}

# Describe action -> (request parameter prefixes naming ids, error code, message format).
_DESCRIBES = {
    "DescribeSecurityGroups": (("GroupId.",), "InvalidGroup.NotFound",
                               "The security group '{}' does not exist"),
    "DescribeVpcEndpoints": (("VpcEndpointId.",), "InvalidVpcEndpointId.NotFound",
                             "The Vpc Endpoint Id '{}' does not exist"),
    "DescribeVpcEndpointServiceConfigurations": (("ServiceId.",), "InvalidVpcEndpointServiceId.NotFound",
                                                 "The VpcEndpointService Id '{}' does not exist"),
    "DescribeLoadBalancers": (("LoadBalancerArns.member.",), "LoadBalancerNotFound",
                              "One or more load balancers not found ({})"),
    "DescribeTargetGroups": (("TargetGroupArns.member.",), "TargetGroupNotFound",
                             "One or more target groups not found ({})"),
    "DescribeTargetHealth": (("TargetGroupArn",), "TargetGroupNotFound",
                             "Target groups '{}' not found"),
}


class Visibility:
    def __init__(self):
        self._visible_at = {}  # resource id -> monotonic time from which Describe shows it

    def created(self, request, status, body):
        """Notes the id a successful create answered (once: an idempotent repeat changes nothing)."""
        lag = CONFIG.delay("visibility_lag")
        made = _CREATED.get(request.action)
        if lag <= 0 or made is None or made[0] != request.service or status >= 400:
            return
        match = re.search(rf"<{made[1]}>([^<]+)</{made[1]}>".encode(), body)
        if match:
            self._visible_at.setdefault(match.group(1).decode(), time.monotonic() + lag)

    def hidden_answer(self, request):
        """(status, headers, body) of the NotFound error when the Describe names a resource that
        is not visible yet; None otherwise."""
        rule = _DESCRIBES.get(request.action)
        if rule is None or not self._visible_at:
            return None
        prefixes, code, message = rule
        now = time.monotonic()
        for name, values in request.params.items():
            if not name.startswith(prefixes):
                continue
            for value in values:
                if self._visible_at.get(value, 0) > now:
                    return errors.render(request.service, 400, code, message.format(value))
        return None

    def clear(self):
        self._visible_at.clear()


VISIBILITY = Visibility()
