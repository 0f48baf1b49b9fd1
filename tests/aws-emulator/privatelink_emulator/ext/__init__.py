"""Extensions to moto's models; `install()` patches them in once per process."""


def install():
    from . import (dependencies, ec2_privatelink, elbv2, endpoint_services, endpoints, glue, rds, route53, strict,
                   target_groups, zones)
    zones.install()
    ec2_privatelink.install()
    endpoints.install()
    endpoint_services.install()
    elbv2.install()
    target_groups.install()
    strict.install()
    dependencies.install()
    rds.install()
    rds.install_responses()
    glue.install()
    route53.install()
