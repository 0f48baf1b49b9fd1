"""Extensions to moto's models; `install()` patches them in once per process."""


def install():
    from . import dependencies, ec2_privatelink, elbv2, rds
    ec2_privatelink.install()
    elbv2.install()
    dependencies.install()
    rds.install()
    rds.install_responses()
