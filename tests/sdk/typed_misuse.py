"""Mistakes mypy must reject in a program using the Python SDK (test_python_sdk.py checks each
line marked `# error:` is reported, and nothing else)."""

import pulumi_privatelink as privatelink

privatelink.PrivateLinkProducer("p", vpc_id=1, subnet_ids=["s"], port=5432)  # error: call-overload
privatelink.PrivateLinkProducer("p", vpcId="v", subnet_ids=["s"], port=5432)  # error: call-overload
privatelink.PrivateLinkConsumerArgs(vpc_id="v", subnet_ids=["s"], port=1)  # error: call-arg
privatelink.HealthCheckArgs(interval_seconds="10")  # error: arg-type
port: str = privatelink.PrivateLinkProducer.get("p", "id").port  # error: assignment
resolvers_wrong: int | None = privatelink.config.dns_resolvers  # error: assignment
