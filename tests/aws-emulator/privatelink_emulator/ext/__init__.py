"""Extensions to moto's models; `install()` patches them in once per process."""


def install():
    from . import ec2_privatelink, elbv2, rds, security_groups
    ec2_privatelink.install()
    elbv2.install()
    security_groups.install()
    rds.install()
