"""A program as a user writes it against the Python SDK; mypy must accept it (test_python_sdk.py).

Not run as a test itself (no test_ prefix): it is only type-checked.
"""

from typing import Mapping, Sequence

import pulumi
import pulumi_privatelink as privatelink

producer_account = privatelink.Provider(
    "producer",
    region="eu-west-1",
    assume_role=privatelink.AssumeRoleArgs(
        role_arn="arn:aws:iam::111111111111:role/deploy",
        external_id=pulumi.Output.secret("external-id"),
    ),
    default_tags={"team": "data"},
    skip_credentials_validation=True,
)
producer = privatelink.PrivateLinkProducer(
    "db",
    vpc_id="vpc-1",
    subnet_ids=["subnet-1", "subnet-2"],
    port=5432,
    target_hostname="proxy.example.com",
    health_check=privatelink.HealthCheckArgs(interval_seconds=10, port=5432),
    allowed_principals=["arn:aws:iam::222222222222:root"],
    opts=pulumi.ResourceOptions(provider=producer_account),
)
# Outputs the schema does not list as always present are Optional, as in Pulumi's SDKs.
service_name: pulumi.Output[str] = producer.service_name.apply(lambda name: name or "")
service_id: pulumi.Output[str] = producer.service_id.apply(lambda sid: sid or "")
consumer = privatelink.PrivateLinkConsumer(
    "client",
    privatelink.PrivateLinkConsumerArgs(
        service_name=service_name,
        vpc_id="vpc-2",
        subnet_ids=["subnet-3"],
        port=producer.port,
        jdbc=privatelink.JdbcArgs(engine="postgresql", database="app"),
    ),
)
acceptance = privatelink.EndpointAcceptance(
    "accept",
    service_id=service_id,
    endpoint_id=consumer.endpoint_id,
    opts=pulumi.ResourceOptions(provider=producer_account),
)
entries: pulumi.Output[list[str]] = consumer.dns_entries.apply(lambda es: [e.dns_name or "" for e in es])
zones: pulumi.Output[list[str]] = producer.connections.apply(lambda cs: [c.endpoint_id for c in cs or []])
region: str | None = privatelink.config.region
tags: Mapping[str, str] | None = privatelink.config.default_tags
resolvers: Sequence[str] | None = privatelink.config.dns_resolvers
existing = privatelink.PrivateLinkConsumer.get("existing", "vpce-0123")
pulumi.export("jdbcUrl", consumer.jdbc_url)
