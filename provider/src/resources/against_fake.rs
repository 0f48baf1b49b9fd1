//! The resources' lifecycles against the in-memory AWS (`aws::fake`): create, converge, refresh
//! and delete of each resource in seconds, beside the emulator suites that drive the launched
//! plugin (tests/python). Each test counts the writes, reads back the fake account, or names
//! the error it expects.

use std::sync::Arc;

use pulumi_rs_provider::runtime::decode::from_map;
use pulumi_rs_provider::runtime::resource::{Resource, ResourceError};
use serde_json::json;

use crate::aws::ec2::{Peer, Rule};
use crate::aws::fake::{Fake, OTHER_SUBNET, SUBNETS, VPC};
use crate::aws::states::EndpointState;
use crate::config::Context;
use crate::resources::acceptance::{AcceptanceInputs, EndpointAcceptance};
use crate::resources::consumer::{ConsumerInputs, PrivateLinkConsumer};
use crate::resources::endpoint_private_dns::{EndpointPrivateDns, PrivateDnsInputs};
use crate::resources::naming::NAME_TAG;
use crate::resources::producer::{PrivateLinkProducer, ProducerInputs, ProducerState};

const CONSUMER_ACCOUNT: &str = "222222222222";

/// Program inputs after the resource's own Check, which must accept them.
async fn checked<R: Resource<Provider = crate::config::Configured>>(
    resource: &R,
    ctx: &Context,
    inputs: serde_json::Value,
) -> R::Inputs {
    let inputs: R::Inputs = serde_json::from_value(inputs).expect("inputs decode");
    let checked = resource.check(ctx, None, inputs).await;
    assert!(checked.failures.is_empty(), "{:?}", checked.failures);
    checked.inputs
}

fn producer_program() -> serde_json::Value {
    json!({
        "name": "orders-db",
        "vpcId": VPC,
        "subnetIds": [SUBNETS[0], SUBNETS[1]],
        "port": 5432,
        "targetIps": ["10.0.1.10", "10.0.2.10"],
        "allowedPrincipals": [format!("arn:aws:iam::{CONSUMER_ACCOUNT}:root")],
        "allowedCidrs": ["10.20.0.0/16"],
    })
}

async fn producer_inputs(ctx: &Context) -> ProducerInputs {
    checked(&PrivateLinkProducer, ctx, producer_program()).await
}

async fn create_producer(fake: &Arc<Fake>) -> (Context, ProducerInputs, String, ProducerState) {
    let ctx = fake.context();
    let inputs = producer_inputs(&ctx).await;
    let (id, state) = PrivateLinkProducer
        .create(&ctx, &inputs)
        .await
        .expect("producer create");
    (ctx, inputs, id, state)
}

fn count(fake: &Fake, action: &str) -> usize {
    fake.calls().iter().filter(|c| c.action == action).count()
}

#[tokio::test]
async fn producer_create_from_nothing_makes_every_piece_and_waits_for_them() {
    let fake = Fake::with_network();
    // The balancer answers `provisioning` and the service `Pending` for two reads each.
    fake.set_pending_reads(2);
    let (_, _, id, state) = create_producer(&fake).await;

    assert_eq!(id, "orders-db");
    let w = fake.world();
    assert_eq!(w.security_groups.len(), 1);
    assert_eq!(w.load_balancers.len(), 1);
    assert_eq!(w.target_groups.len(), 1);
    assert_eq!(w.listeners.len(), 1);
    assert_eq!(w.services.len(), 1);
    let group = w.security_groups.values().next().expect("group");
    assert!(group
        .ingress
        .contains(&Rule::tcp(5432, Peer::Cidr("10.20.0.0/16".into()))));
    // Egress only to the VPC on the target port: EC2's allow-all rule is revoked.
    assert_eq!(
        group.egress.iter().cloned().collect::<Vec<_>>(),
        vec![Rule::tcp(5432, Peer::Cidr("10.0.0.0/16".into()))]
    );
    let targets: Vec<&String> = w
        .target_groups
        .values()
        .flat_map(|g| g.targets.keys())
        .collect();
    assert_eq!(targets, ["10.0.1.10", "10.0.2.10"]);
    let service = w.services.values().next().expect("service");
    assert!(service
        .principals
        .contains(&format!("arn:aws:iam::{CONSUMER_ACCOUNT}:root")));
    assert_eq!(
        service.tags.get(NAME_TAG).map(String::as_str),
        Some("orders-db")
    );
    drop(w);

    assert!(state.service_id.is_some() && state.service_name.is_some());
    assert!(state.load_balancer_arn.is_some() && state.listener_arn.is_some());
    assert!(state.target_group_arn.is_some() && state.security_group_id.is_some());
    assert_eq!(state.service_state.as_deref(), Some("Available"));
    assert_eq!(state.registered_target_ips, ["10.0.1.10", "10.0.2.10"]);
    for action in [
        "CreateSecurityGroup",
        "CreateLoadBalancer",
        "CreateTargetGroup",
        "CreateListener",
        "CreateVpcEndpointServiceConfiguration",
        "RegisterTargets",
        "ModifyVpcEndpointServicePermissions",
    ] {
        assert_eq!(count(&fake, action), 1, "{action}: {:?}", fake.writes());
    }
    // The waits polled through the scripted transitions.
    assert!(count(&fake, "DescribeLoadBalancers") >= 3);
    assert!(count(&fake, "DescribeVpcEndpointServiceConfigurations") >= 3);
}

#[tokio::test]
async fn converging_an_unchanged_producer_writes_nothing() {
    let fake = Fake::with_network();
    let (ctx, inputs, id, state) = create_producer(&fake).await;
    fake.clear_calls();

    let again = PrivateLinkProducer
        .update(&ctx, &id, (&inputs, &state), &inputs)
        .await
        .expect("update");

    assert_eq!(fake.writes(), Vec::<&str>::new());
    assert!(!fake.calls().is_empty(), "the update read nothing");
    assert_eq!(again.service_id, state.service_id);
    assert_eq!(again.load_balancer_arn, state.load_balancer_arn);
}

#[tokio::test]
async fn a_changed_input_writes_only_its_difference() {
    let fake = Fake::with_network();
    let (ctx, inputs, id, state) = create_producer(&fake).await;
    fake.clear_calls();
    let mut program = producer_program();
    program["targetIps"] = json!(["10.0.1.10", "10.0.2.20"]);
    let news = checked(&PrivateLinkProducer, &ctx, program).await;

    let updated = PrivateLinkProducer
        .update(&ctx, &id, (&inputs, &state), &news)
        .await
        .expect("update");

    assert_eq!(fake.writes(), ["RegisterTargets", "DeregisterTargets"]);
    assert_eq!(updated.registered_target_ips, ["10.0.1.10", "10.0.2.20"]);
}

#[tokio::test]
async fn a_create_that_stopped_part_way_is_continued_by_the_next_update() {
    let fake = Fake::with_network();
    let ctx = fake.context();
    let inputs = producer_inputs(&ctx).await;
    // Not retried: the create stops after the balancer and target group exist.
    fake.fail("CreateListener", "ValidationError", 1);

    let error = PrivateLinkProducer
        .create(&ctx, &inputs)
        .await
        .expect_err("the listener fails");
    let ResourceError::Partial { id, state, source } = error else {
        panic!("a stopped create records what it made: {error:?}");
    };
    assert!(source.to_string().contains("ValidationError"), "{source}");
    let recorded: ProducerState = from_map(&state).expect("state decodes");
    assert!(recorded.load_balancer_arn.is_some() && recorded.target_group_arn.is_some());
    assert_eq!(recorded.listener_arn, None);
    assert_eq!(recorded.service_id, None);

    fake.clear_calls();
    let finished = PrivateLinkProducer
        .update(&ctx, &id, (&inputs, &recorded), &inputs)
        .await
        .expect("the update continues");

    assert!(finished.listener_arn.is_some() && finished.service_id.is_some());
    for made_before in [
        "CreateSecurityGroup",
        "CreateLoadBalancer",
        "CreateTargetGroup",
        "RegisterTargets",
    ] {
        assert_eq!(count(&fake, made_before), 0, "{made_before} again");
    }
    assert_eq!(count(&fake, "CreateListener"), 1);
    let w = fake.world();
    assert_eq!((w.load_balancers.len(), w.target_groups.len()), (1, 1));
}

#[tokio::test]
async fn throttled_calls_are_retried_and_logged_per_attempt() {
    let fake = Fake::with_network();
    fake.fail("CreateLoadBalancer", "Throttling", 2);
    let (_, _, _, state) = create_producer(&fake).await;
    assert!(state.load_balancer_arn.is_some());
    assert_eq!(count(&fake, "CreateLoadBalancer"), 3);
    assert_eq!(fake.world().load_balancers.len(), 1);
}

#[tokio::test]
async fn a_subnet_outside_the_vpc_fails_naming_subnet_ids_before_any_write() {
    let fake = Fake::with_network();
    let ctx = fake.context();
    let mut program = producer_program();
    program["subnetIds"] = json!([SUBNETS[0], OTHER_SUBNET]);
    let inputs = checked(&PrivateLinkProducer, &ctx, program).await;

    let error = PrivateLinkProducer
        .create(&ctx, &inputs)
        .await
        .expect_err("the subnet is elsewhere");

    let message = error.to_string();
    assert!(message.starts_with("subnetIds: "), "{message}");
    assert!(message.contains(OTHER_SUBNET), "{message}");
    assert_eq!(fake.writes(), Vec::<&str>::new());
}

#[tokio::test]
async fn refresh_sees_drift_and_leaves_out_missing_pieces() {
    let fake = Fake::with_network();
    let (ctx, inputs, id, state) = create_producer(&fake).await;
    {
        let mut w = fake.world();
        // Someone adds a principal, registers a target and deletes the listener.
        let service = w.services.values_mut().next().expect("service");
        service
            .principals
            .insert("arn:aws:iam::333333333333:root".into());
        let group = w.target_groups.values_mut().next().expect("group");
        group.targets.insert("10.0.3.30".into(), None);
        w.listeners.clear();
    }
    fake.clear_calls();

    let (live, observed) = PrivateLinkProducer
        .read(&ctx, &id, Some((&inputs, &state)))
        .await
        .expect("read")
        .expect("still exists");

    assert_eq!(
        live.allowed_principals,
        Some(vec![
            format!("arn:aws:iam::{CONSUMER_ACCOUNT}:root"),
            "arn:aws:iam::333333333333:root".to_string()
        ])
    );
    assert_eq!(
        live.target_ips,
        Some(vec![
            "10.0.1.10".to_string(),
            "10.0.2.10".into(),
            "10.0.3.30".into()
        ])
    );
    assert_eq!(observed.listener_arn, None);
    assert_eq!(observed.service_id, state.service_id);
    // Refresh only reads.
    assert_eq!(fake.writes(), Vec::<&str>::new());
}

#[tokio::test]
async fn a_producer_whose_service_is_gone_reads_as_gone() {
    let fake = Fake::with_network();
    let (ctx, inputs, id, state) = create_producer(&fake).await;
    fake.world().services.clear();
    let read = PrivateLinkProducer
        .read(&ctx, &id, Some((&inputs, &state)))
        .await
        .expect("read");
    assert!(read.is_none());
}

#[tokio::test]
async fn delete_removes_every_piece() {
    let fake = Fake::with_network();
    fake.set_pending_reads(1);
    let (ctx, inputs, id, state) = create_producer(&fake).await;

    PrivateLinkProducer
        .delete(&ctx, &id, (&inputs, &state))
        .await
        .expect("delete");

    let w = fake.world();
    assert!(w.services.is_empty() && w.load_balancers.is_empty() && w.listeners.is_empty());
    assert!(w.target_groups.is_empty() && w.security_groups.is_empty());
}

#[tokio::test]
async fn delete_of_pieces_already_gone_succeeds() {
    let fake = Fake::with_network();
    let (ctx, inputs, id, state) = create_producer(&fake).await;
    {
        let mut w = fake.world();
        w.load_balancers.clear();
        w.listeners.clear();
        w.security_groups.clear();
    }
    // And a call that answers "not found" where the state says the piece exists.
    fake.fail("DeleteTargetGroup", "TargetGroupNotFound", 1);

    PrivateLinkProducer
        .delete(&ctx, &id, (&inputs, &state))
        .await
        .expect("delete");

    assert!(fake.world().services.is_empty());
    assert_eq!(count(&fake, "DeleteTargetGroup"), 1);
}

#[tokio::test]
async fn delete_leaves_alone_what_a_successor_instance_took_over() {
    let fake = Fake::with_network();
    let (ctx, inputs, id, first) = create_producer(&fake).await;
    // The engine's replacement without Diff: a second create of the same resource, first.
    let (_, second) = PrivateLinkProducer
        .create(&ctx, &inputs)
        .await
        .expect("successor create");
    assert_ne!(first.instance_id, second.instance_id);
    assert_eq!(
        first.service_id, second.service_id,
        "the successor took it over"
    );
    fake.clear_calls();

    PrivateLinkProducer
        .delete(&ctx, &id, (&inputs, &first))
        .await
        .expect("the old one's delete");

    assert_eq!(fake.writes(), Vec::<&str>::new());
    let w = fake.world();
    assert_eq!((w.services.len(), w.load_balancers.len()), (1, 1));
    assert_eq!((w.target_groups.len(), w.security_groups.len()), (1, 1));
}

async fn create_consumer(
    fake: &Arc<Fake>,
    service_name: &str,
) -> (
    Context,
    ConsumerInputs,
    String,
    crate::resources::consumer::ConsumerState,
) {
    let ctx = fake.context();
    let inputs = checked(
        &PrivateLinkConsumer,
        &ctx,
        json!({
            "name": "orders-client",
            "serviceName": service_name,
            "vpcId": VPC,
            "subnetIds": [SUBNETS[0], SUBNETS[1]],
            "port": 5432,
            "allowedCidrs": ["10.0.0.0/16"],
        }),
    )
    .await;
    let (id, state) = PrivateLinkConsumer
        .create(&ctx, &inputs)
        .await
        .expect("consumer create");
    (ctx, inputs, id, state)
}

#[tokio::test]
async fn delete_refuses_while_consumers_are_connected_naming_them() {
    let fake = Fake::with_network();
    let (ctx, inputs, id, state) = create_producer(&fake).await;
    let service_name = state.service_name.clone().expect("service name");
    let (_, _, endpoint, _) = create_consumer(&fake, &service_name).await;
    fake.clear_calls();

    let error = PrivateLinkProducer
        .delete(&ctx, &id, (&inputs, &state))
        .await
        .expect_err("a connected service is not deleted");

    let message = error.to_string();
    assert!(
        message.contains(&endpoint) && message.contains("forceDestroy"),
        "{message}"
    );
    assert_eq!(fake.writes(), Vec::<&str>::new());
}

#[tokio::test]
async fn consumer_create_and_delete() {
    let fake = Fake::with_network();
    let (_, _, _, producer) = create_producer(&fake).await;
    let service_name = producer.service_name.clone().expect("service name");
    fake.set_pending_reads(2);

    let (ctx, inputs, id, state) = create_consumer(&fake, &service_name).await;

    assert!(id.starts_with("vpce-"), "{id}");
    assert_eq!(state.endpoint_id.as_deref(), Some(id.as_str()));
    let group = state.security_group_id.clone().expect("group");
    {
        let w = fake.world();
        let endpoint = &w.endpoints[&id];
        assert_eq!(endpoint.state, EndpointState::PendingAcceptance);
        assert_eq!(endpoint.security_group_ids, [group.clone()]);
        assert!(w.security_groups[&group]
            .ingress
            .contains(&Rule::tcp(5432, Peer::Cidr("10.0.0.0/16".into()))));
    }

    PrivateLinkConsumer
        .delete(&ctx, &id, (&inputs, &state))
        .await
        .expect("consumer delete");

    // The delete waited while the endpoint was `deleting`.
    assert!(count(&fake, "DescribeVpcEndpoints") >= 3);
    let w = fake.world();
    assert!(!w.endpoints.contains_key(&id));
    assert!(!w.security_groups.contains_key(&group));
    // The producer's group stays.
    assert_eq!(w.security_groups.len(), 1);
}

#[tokio::test]
async fn consumer_of_an_unknown_service_fails_naming_service_name_before_any_write() {
    let fake = Fake::with_network();
    let ctx = fake.context();
    let inputs = checked(
        &PrivateLinkConsumer,
        &ctx,
        json!({
            "serviceName": "com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0",
            "vpcId": VPC,
            "subnetIds": [SUBNETS[0]],
            "port": 5432,
            "allowedCidrs": ["10.0.0.0/16"],
        }),
    )
    .await;
    let error = PrivateLinkConsumer
        .create(&ctx, &inputs)
        .await
        .expect_err("no such service");
    assert!(error.to_string().starts_with("serviceName: "), "{error}");
    assert_eq!(fake.writes(), Vec::<&str>::new());
}

#[tokio::test]
async fn acceptance_accepts_and_its_delete_rejects() {
    let fake = Fake::with_network();
    let (_, _, _, producer) = create_producer(&fake).await;
    // The accepted connection is `pending` for two reads before it is `available`.
    fake.set_pending_reads(2);
    let service_id = producer.service_id.clone().expect("service id");
    let (_, _, endpoint, _) =
        create_consumer(&fake, &producer.service_name.clone().expect("name")).await;
    let ctx = fake.context();
    let inputs: AcceptanceInputs = checked(
        &EndpointAcceptance,
        &ctx,
        json!({"serviceId": service_id, "endpointId": endpoint}),
    )
    .await;

    let (id, state) = EndpointAcceptance
        .create(&ctx, &inputs)
        .await
        .expect("accept");
    assert_eq!(id, format!("{service_id}/{endpoint}"));
    assert_eq!(state.state, "available");
    assert_eq!(
        fake.world().endpoints[&endpoint].state,
        EndpointState::Available
    );
    assert_eq!(count(&fake, "AcceptVpcEndpointConnections"), 1);
    assert!(count(&fake, "DescribeVpcEndpointConnections") >= 4);

    EndpointAcceptance
        .delete(&ctx, &id, (&inputs, &state))
        .await
        .expect("reject");
    assert_eq!(
        fake.world().endpoints[&endpoint].state,
        EndpointState::Rejected
    );
}

#[tokio::test]
async fn acceptance_of_a_rejected_connection_fails_naming_it() {
    let fake = Fake::with_network();
    let (_, _, _, producer) = create_producer(&fake).await;
    let service_id = producer.service_id.clone().expect("service id");
    let (_, _, endpoint, _) =
        create_consumer(&fake, &producer.service_name.clone().expect("name")).await;
    fake.world()
        .endpoints
        .get_mut(&endpoint)
        .expect("endpoint")
        .state = EndpointState::Rejected;
    let ctx = fake.context();
    let inputs = AcceptanceInputs {
        service_id,
        endpoint_id: endpoint.clone(),
    };
    fake.clear_calls();

    let error = EndpointAcceptance
        .create(&ctx, &inputs)
        .await
        .expect_err("a rejected connection cannot be accepted");
    assert!(error.to_string().contains(&endpoint), "{error}");
    assert_eq!(fake.writes(), Vec::<&str>::new());
}

#[tokio::test]
async fn hostname_aliases_get_a_zone_and_record_that_the_delete_removes() {
    let fake = Fake::with_network();
    let (_, _, _, producer) = create_producer(&fake).await;
    let ctx = fake.context();
    let inputs = checked(
        &PrivateLinkConsumer,
        &ctx,
        json!({
            "name": "orders-client",
            "serviceName": producer.service_name.clone().expect("name"),
            "vpcId": VPC,
            "subnetIds": [SUBNETS[0]],
            "port": 5432,
            "allowedCidrs": ["10.0.0.0/16"],
            "hostnameAliases": ["db.orders.internal"],
        }),
    )
    .await;
    let (id, state) = PrivateLinkConsumer
        .create(&ctx, &inputs)
        .await
        .expect("consumer create");
    {
        let w = fake.world();
        assert_eq!(w.zones.len(), 1);
        let zone = w.zones.values().next().expect("zone");
        assert_eq!(zone.name, "db.orders.internal");
        assert_eq!(zone.vpcs, [VPC]);
        let alias = &zone.aliases["db.orders.internal"];
        assert!(alias.dns_name.starts_with(&id), "{alias:?}");
    }
    // Unchanged, the next converge writes nothing, Route 53 included.
    fake.clear_calls();
    PrivateLinkConsumer
        .update(&ctx, &id, (&inputs, &state), &inputs)
        .await
        .expect("update");
    assert_eq!(fake.writes(), Vec::<&str>::new());

    PrivateLinkConsumer
        .delete(&ctx, &id, (&inputs, &state))
        .await
        .expect("delete");
    assert!(fake.world().zones.is_empty());
}

#[tokio::test]
async fn a_tag_removed_from_the_program_is_removed_and_foreign_tags_stay() {
    let fake = Fake::with_network();
    let ctx = fake.context();
    let mut program = producer_program();
    program["tags"] = json!({"team": "data"});
    let inputs = checked(&PrivateLinkProducer, &ctx, program.clone()).await;
    let (id, state) = PrivateLinkProducer
        .create(&ctx, &inputs)
        .await
        .expect("create");
    let group = state.security_group_id.clone().expect("group");
    let balancer = state.load_balancer_arn.clone().expect("balancer");
    {
        let mut w = fake.world();
        let foreign = ("owner".to_string(), "someone".to_string());
        w.security_groups
            .get_mut(&group)
            .expect("group")
            .tags
            .extend([foreign.clone()]);
        w.load_balancers
            .get_mut(&balancer)
            .expect("lb")
            .tags
            .extend([foreign]);
    }
    program["tags"] = json!({"env": "prod"});
    let news = checked(&PrivateLinkProducer, &ctx, program).await;

    PrivateLinkProducer
        .update(&ctx, &id, (&inputs, &state), &news)
        .await
        .expect("update");

    let w = fake.world();
    for tags in [
        &w.security_groups[&group].tags,
        &w.load_balancers[&balancer].tags,
    ] {
        assert_eq!(
            tags.get("env").map(String::as_str),
            Some("prod"),
            "{tags:?}"
        );
        assert_eq!(
            tags.get("owner").map(String::as_str),
            Some("someone"),
            "{tags:?}"
        );
        assert!(!tags.contains_key("team"), "{tags:?}");
        assert_eq!(tags.get(NAME_TAG).map(String::as_str), Some("orders-db"));
    }
}

#[tokio::test]
async fn a_private_dns_name_is_verified_on_each_update_until_aws_has_verified_it() {
    let fake = Fake::with_network();
    let ctx = fake.context();
    let mut program = producer_program();
    program["privateDnsName"] = json!("db.orders.example.com");
    let inputs = checked(&PrivateLinkProducer, &ctx, program).await;
    let (id, state) = PrivateLinkProducer
        .create(&ctx, &inputs)
        .await
        .expect("create");
    let verification = state
        .private_dns_verification
        .clone()
        .expect("record to publish");
    assert_eq!(verification.state, "pendingVerification");
    assert_eq!(verification.record_type, "TXT");
    let verifications = |fake: &Fake| {
        fake.world()
            .services
            .values()
            .map(|s| s.dns_verifications_started)
            .sum::<u32>()
    };
    assert_eq!(verifications(&fake), 1);

    PrivateLinkProducer
        .update(&ctx, &id, (&inputs, &state), &inputs)
        .await
        .expect("update");
    assert_eq!(verifications(&fake), 2, "not verified yet: asked again");

    fake.world()
        .services
        .values_mut()
        .for_each(|s| s.dns_verified = true);
    fake.clear_calls();
    let verified = PrivateLinkProducer
        .update(&ctx, &id, (&inputs, &state), &inputs)
        .await
        .expect("update");
    assert_eq!(verifications(&fake), 2, "verified: not asked again");
    assert_eq!(fake.writes(), Vec::<&str>::new());
    assert_eq!(
        verified
            .private_dns_verification
            .map(|v| v.state)
            .as_deref(),
        Some("verified")
    );
}

/// A producer with a private DNS name (verified when `verified`), a consumer's endpoint to it,
/// and that endpoint accepted: what EndpointPrivateDns starts from.
async fn accepted_endpoint_with_private_name(fake: &Arc<Fake>, verified: bool) -> String {
    let ctx = fake.context();
    let mut program = producer_program();
    program["privateDnsName"] = json!("db.orders.example.com");
    let inputs = checked(&PrivateLinkProducer, &ctx, program).await;
    let (_, producer) = PrivateLinkProducer
        .create(&ctx, &inputs)
        .await
        .expect("producer");
    fake.world()
        .services
        .values_mut()
        .for_each(|s| s.dns_verified = verified);
    let (_, _, endpoint, _) =
        create_consumer(fake, &producer.service_name.clone().expect("name")).await;
    let acceptance = AcceptanceInputs {
        service_id: producer.service_id.clone().expect("service id"),
        endpoint_id: endpoint.clone(),
    };
    EndpointAcceptance
        .create(&ctx, &acceptance)
        .await
        .expect("accept");
    endpoint
}

#[tokio::test]
async fn endpoint_private_dns_turns_it_on_and_its_delete_turns_it_off() {
    let fake = Fake::with_network();
    let endpoint = accepted_endpoint_with_private_name(&fake, true).await;
    let ctx = fake.context();
    let inputs: PrivateDnsInputs =
        checked(&EndpointPrivateDns, &ctx, json!({"endpointId": endpoint})).await;
    fake.clear_calls();

    let (id, state) = EndpointPrivateDns
        .create(&ctx, &inputs)
        .await
        .expect("private DNS on");

    assert_eq!(id, endpoint);
    assert!(fake.world().endpoints[&endpoint].private_dns_enabled);
    assert_eq!(
        state.private_dns_name.as_deref(),
        Some("db.orders.example.com")
    );
    assert_eq!(fake.writes(), ["ModifyVpcEndpoint"]);

    EndpointPrivateDns
        .delete(&ctx, &id, (&inputs, &state))
        .await
        .expect("private DNS off");
    assert!(!fake.world().endpoints[&endpoint].private_dns_enabled);
}

#[tokio::test]
async fn endpoint_private_dns_of_an_unverified_name_fails_naming_endpoint_id_before_any_write() {
    let fake = Fake::with_network();
    let endpoint = accepted_endpoint_with_private_name(&fake, false).await;
    let ctx = fake.context();
    let inputs = PrivateDnsInputs {
        endpoint_id: endpoint.clone(),
        private_dns_enabled: Some(true),
    };
    fake.clear_calls();

    let error = EndpointPrivateDns
        .create(&ctx, &inputs)
        .await
        .expect_err("not verified");

    let message = error.to_string();
    assert!(
        message.starts_with("endpointId: ") && message.contains("not verified"),
        "{message}"
    );
    assert_eq!(fake.writes(), Vec::<&str>::new());
    assert!(!fake.world().endpoints[&endpoint].private_dns_enabled);
}
