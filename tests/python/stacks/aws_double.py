"""A test double of the pulumi-aws provider, for the example programs run under the mock monitor.

It is NOT pulumi-aws: there is no pulumi-aws plugin (nor Pulumi CLI) here. For each `aws:*` type the
examples declare it makes, reads and deletes the same AWS object pulumi-aws would, with boto3 against
the AWS emulator, and answers the outputs under the names pulumi-aws gives them on the wire (the
camelCase property names of the pulumi-aws Python SDK's getters, e.g. `availabilityZoneId`,
`masterUserSecrets[0].secretArn`). Ids follow pulumi-aws: a VPC's id is `vpc-…`, a DB subnet group's its
name, a secret's its ARN, a Glue connection's `catalogId:name`, and so on.

Behaviours taken from pulumi-aws (the Terraform AWS provider it bridges), as its docs state them:
- a security group made without inline rules loses AWS's default allow-all egress rule;
- `name`-like properties left out get an auto-name `<logical name>-<7 random hex>` (lower case where
  AWS wants it), kept in the stack state and reused by later runs;
- deleting `aws.rds.ProxyDefaultTargetGroup` or `aws.secretsmanager.SecretVersion` (AWSCURRENT) only
  removes it from the state: AWS has no delete for either.

Limits (of the double, not of pulumi-aws): no in-place update; a changed input is a replacement
(delete, then create); only the properties the examples set are read."""

import json
import secrets as random
from dataclasses import dataclass

UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
SIG = "4dabf18193072939515e22adb298388d"
SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"


class DoubleError(Exception):
    pass


def plain(value):
    """Inputs without Pulumi's secret wrapping (the double writes the values themselves)."""
    if isinstance(value, dict):
        if value.get(SIG) == SECRET_SIG:
            return plain(value["value"])
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


def auto_name(logical, lower=False):
    name = f"{logical}-{random.token_hex(4)[:7]}"
    return name.lower() if lower else name


def ec2_tags(kind, tags):
    return [{"ResourceType": kind, "Tags": [{"Key": k, "Value": v} for k, v in tags.items()]}] if tags else []


def list_tags(tags):
    return [{"Key": k, "Value": v} for k, v in (tags or {}).items()]


def missing(call, codes):
    """Runs `call`; None when AWS says the object is gone (one of `codes`)."""
    from botocore.exceptions import ClientError
    try:
        return call()
    except ClientError as error:
        if error.response["Error"]["Code"] in codes:
            return None
        raise


@dataclass
class Context:
    """What one resource operation needs: boto3 clients of the resource's provider account."""
    client: object  # client(service) -> boto3 client
    account: str
    region: str


# Each type: create(ctx, logical, inputs) -> (id, outputs); exists(ctx, id, outputs) -> bool;
# delete(ctx, id, outputs). Outputs always echo the inputs.

def vpc_create(ctx, logical, i):
    ec2 = ctx.client("ec2")
    vpc = ec2.create_vpc(CidrBlock=i["cidrBlock"], TagSpecifications=ec2_tags("vpc", i.get("tags")))["Vpc"]
    vpc_id = vpc["VpcId"]
    for attribute in ("enableDnsSupport", "enableDnsHostnames"):
        if attribute in i:
            ec2.modify_vpc_attribute(VpcId=vpc_id, **{attribute[0].upper() + attribute[1:]: {"Value": i[attribute]}})
    group = ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [vpc_id]},
                                                  {"Name": "group-name", "Values": ["default"]}])["SecurityGroups"][0]
    return vpc_id, {"arn": f"arn:aws:ec2:{ctx.region}:{ctx.account}:vpc/{vpc_id}", "ownerId": ctx.account,
                    "defaultSecurityGroupId": group["GroupId"]}


def subnet_create(ctx, logical, i):
    placement = {"AvailabilityZone": i["availabilityZone"]} if "availabilityZone" in i else \
        {"AvailabilityZoneId": i["availabilityZoneId"]} if "availabilityZoneId" in i else {}
    subnet = ctx.client("ec2").create_subnet(VpcId=i["vpcId"], CidrBlock=i["cidrBlock"], **placement,
                                             TagSpecifications=ec2_tags("subnet", i.get("tags")))["Subnet"]
    return subnet["SubnetId"], {"arn": subnet["SubnetArn"], "availabilityZone": subnet["AvailabilityZone"],
                                "availabilityZoneId": subnet["AvailabilityZoneId"], "ownerId": ctx.account}


def security_group_create(ctx, logical, i):
    ec2 = ctx.client("ec2")
    name = i.get("name") or auto_name(logical)
    group_id = ec2.create_security_group(GroupName=name, Description=i.get("description", "Managed by Pulumi"),
                                         VpcId=i["vpcId"],
                                         TagSpecifications=ec2_tags("security-group", i.get("tags")))["GroupId"]
    # pulumi-aws: "When creating a new Security Group inside a VPC, [it] will remove this default rule".
    ec2.revoke_security_group_egress(GroupId=group_id, IpPermissions=[
        {"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
    return group_id, {"name": name, "arn": f"arn:aws:ec2:{ctx.region}:{ctx.account}:security-group/{group_id}",
                      "ownerId": ctx.account, "description": i.get("description", "Managed by Pulumi"),
                      "ingress": [], "egress": []}


def _permission(i):
    permission = {"IpProtocol": i["ipProtocol"]}
    if i["ipProtocol"] != "-1":
        permission.update(FromPort=i["fromPort"], ToPort=i["toPort"])
    extra = {"Description": i["description"]} if "description" in i else {}
    if "referencedSecurityGroupId" in i:
        permission["UserIdGroupPairs"] = [{"GroupId": i["referencedSecurityGroupId"], **extra}]
    elif "cidrIpv4" in i:
        permission["IpRanges"] = [{"CidrIp": i["cidrIpv4"], **extra}]
    elif "prefixListId" in i:
        permission["PrefixListIds"] = [{"PrefixListId": i["prefixListId"], **extra}]
    else:
        raise DoubleError("a security group rule needs referencedSecurityGroupId, cidrIpv4 or prefixListId")
    return permission


def rule_create(direction):
    def create(ctx, logical, i):
        authorize = getattr(ctx.client("ec2"), f"authorize_security_group_{direction}")
        rule = authorize(GroupId=i["securityGroupId"], IpPermissions=[_permission(i)])["SecurityGroupRules"][0]
        rule_id = rule["SecurityGroupRuleId"]
        return rule_id, {"securityGroupRuleId": rule_id,
                         "arn": f"arn:aws:ec2:{ctx.region}:{ctx.account}:security-group-rule/{rule_id}"}
    return create


def rule_exists(ctx, rule_id, o):
    return bool(ctx.client("ec2").describe_security_group_rules(
        Filters=[{"Name": "security-group-rule-id", "Values": [rule_id]}])["SecurityGroupRules"])


def rule_delete(direction):
    def delete(ctx, rule_id, o):
        revoke = getattr(ctx.client("ec2"), f"revoke_security_group_{direction}")
        missing(lambda: revoke(GroupId=o["securityGroupId"], SecurityGroupRuleIds=[rule_id]),
                {"InvalidGroup.NotFound", "InvalidSecurityGroupRuleId.NotFound"})
    return delete


def route_table_create(ctx, logical, i):
    table = ctx.client("ec2").create_route_table(
        VpcId=i["vpcId"], TagSpecifications=ec2_tags("route-table", i.get("tags")))["RouteTable"]
    table_id = table["RouteTableId"]
    return table_id, {"arn": f"arn:aws:ec2:{ctx.region}:{ctx.account}:route-table/{table_id}",
                      "ownerId": ctx.account, "routes": []}


def association_create(ctx, logical, i):
    association = ctx.client("ec2").associate_route_table(RouteTableId=i["routeTableId"], SubnetId=i["subnetId"])
    return association["AssociationId"], {}


def association_exists(ctx, association_id, o):
    tables = ctx.client("ec2").describe_route_tables(
        Filters=[{"Name": "association.route-table-association-id", "Values": [association_id]}])["RouteTables"]
    return bool(tables)


def gateway_endpoint_create(ctx, logical, i):
    ec2 = ctx.client("ec2")
    endpoint = ec2.create_vpc_endpoint(
        VpcEndpointType=i.get("vpcEndpointType", "Gateway"), VpcId=i["vpcId"], ServiceName=i["serviceName"],
        RouteTableIds=i.get("routeTableIds", []),
        TagSpecifications=ec2_tags("vpc-endpoint", i.get("tags")))["VpcEndpoint"]
    lists = ec2.describe_prefix_lists(Filters=[{"Name": "prefix-list-name", "Values": [i["serviceName"]]}])
    endpoint_id = endpoint["VpcEndpointId"]
    return endpoint_id, {"arn": f"arn:aws:ec2:{ctx.region}:{ctx.account}:vpc-endpoint/{endpoint_id}",
                         "prefixListId": lists["PrefixLists"][0]["PrefixListId"], "state": endpoint["State"],
                         "ownerId": ctx.account, "dnsEntries": [], "networkInterfaceIds": []}


def gateway_endpoint_exists(ctx, endpoint_id, o):
    found = ctx.client("ec2").describe_vpc_endpoints(
        Filters=[{"Name": "vpc-endpoint-id", "Values": [endpoint_id]}])["VpcEndpoints"]
    return any(e["State"] not in ("deleted", "deleting") for e in found)


def subnet_group_create(ctx, logical, i):
    name = i.get("name") or auto_name(logical, lower=True)
    group = ctx.client("rds").create_db_subnet_group(
        DBSubnetGroupName=name, DBSubnetGroupDescription=i.get("description", "Managed by Pulumi"),
        SubnetIds=i["subnetIds"], Tags=list_tags(i.get("tags")))["DBSubnetGroup"]
    return name, {"name": name, "arn": group["DBSubnetGroupArn"], "vpcId": group["VpcId"]}


def parameter_group_create(ctx, logical, i):
    rds = ctx.client("rds")
    name = i.get("name") or auto_name(logical, lower=True)
    group = rds.create_db_parameter_group(DBParameterGroupName=name, DBParameterGroupFamily=i["family"],
                                          Description=i.get("description", "Managed by Pulumi"),
                                          Tags=list_tags(i.get("tags")))["DBParameterGroup"]
    if i.get("parameters"):
        rds.modify_db_parameter_group(DBParameterGroupName=name, Parameters=[
            {"ParameterName": p["name"], "ParameterValue": p["value"],
             "ApplyMethod": p.get("applyMethod", "immediate")} for p in i["parameters"]])
    return name, {"name": name, "arn": group["DBParameterGroupArn"]}


def instance_create(ctx, logical, i):
    identifier = i.get("identifier") or auto_name(logical, lower=True)
    optional = {key: i[name] for name, key in (
        ("engineVersion", "EngineVersion"), ("dbName", "DBName"), ("port", "Port"),
        ("storageEncrypted", "StorageEncrypted"), ("publiclyAccessible", "PubliclyAccessible"),
        ("dbSubnetGroupName", "DBSubnetGroupName"), ("vpcSecurityGroupIds", "VpcSecurityGroupIds"),
        ("parameterGroupName", "DBParameterGroupName"), ("backupRetentionPeriod", "BackupRetentionPeriod"),
        ("manageMasterUserPassword", "ManageMasterUserPassword")) if name in i}
    if "password" in i:
        raise DoubleError("password: the examples let RDS manage the master password")
    db = ctx.client("rds").create_db_instance(
        DBInstanceIdentifier=identifier, Engine=i["engine"], DBInstanceClass=i["instanceClass"],
        AllocatedStorage=i["allocatedStorage"], MasterUsername=i["username"], Tags=list_tags(i.get("tags")),
        **optional)["DBInstance"]
    secret = db.get("MasterUserSecret")
    return db["DbiResourceId"], {
        "identifier": identifier, "arn": db["DBInstanceArn"], "resourceId": db["DbiResourceId"],
        "address": db["Endpoint"]["Address"], "port": db["Endpoint"]["Port"],
        "endpoint": f"{db['Endpoint']['Address']}:{db['Endpoint']['Port']}",
        "hostedZoneId": db["Endpoint"].get("HostedZoneId", ""),
        "masterUserSecrets": [{"secretArn": secret["SecretArn"], "kmsKeyId": secret.get("KmsKeyId", ""),
                               "secretStatus": secret.get("SecretStatus", "")}] if secret else []}


def role_create(ctx, logical, i):
    name = i.get("name") or auto_name(logical)
    role = ctx.client("iam").create_role(RoleName=name, AssumeRolePolicyDocument=i["assumeRolePolicy"],
                                         Description=i.get("description", ""), Tags=list_tags(i.get("tags")))["Role"]
    return name, {"name": name, "arn": role["Arn"], "uniqueId": role["RoleId"]}


def role_policy_create(ctx, logical, i):
    name = i.get("name") or auto_name(logical)
    ctx.client("iam").put_role_policy(RoleName=i["role"], PolicyName=name, PolicyDocument=i["policy"])
    return f"{i['role']}:{name}", {"name": name}


def proxy_create(ctx, logical, i):
    name = i.get("name") or auto_name(logical, lower=True)
    auths = [{key: a[field] for field, key in (("authScheme", "AuthScheme"), ("secretArn", "SecretArn"),
                                               ("iamAuth", "IAMAuth"),
                                               ("clientPasswordAuthType", "ClientPasswordAuthType")) if field in a}
             for a in i["auths"]]
    optional = {key: i[field] for field, key in (("requireTls", "RequireTLS"),
                                                 ("idleClientTimeout", "IdleClientTimeout"),
                                                 ("vpcSecurityGroupIds", "VpcSecurityGroupIds")) if field in i}
    proxy = ctx.client("rds").create_db_proxy(
        DBProxyName=name, EngineFamily=i["engineFamily"], Auth=auths, RoleArn=i["roleArn"],
        VpcSubnetIds=i["vpcSubnetIds"], Tags=list_tags(i.get("tags")), **optional)["DBProxy"]
    return name, {"name": name, "arn": proxy["DBProxyArn"], "endpoint": proxy["Endpoint"]}


def default_target_group_create(ctx, logical, i):
    pool = {key: i["connectionPoolConfig"][field] for field, key in (
        ("maxConnectionsPercent", "MaxConnectionsPercent"),
        ("maxIdleConnectionsPercent", "MaxIdleConnectionsPercent"),
        ("connectionBorrowTimeout", "ConnectionBorrowTimeout")) if field in i.get("connectionPoolConfig", {})}
    group = ctx.client("rds").modify_db_proxy_target_group(
        DBProxyName=i["dbProxyName"], TargetGroupName="default", ConnectionPoolConfig=pool)["DBProxyTargetGroup"]
    return i["dbProxyName"], {"name": "default", "arn": group["TargetGroupArn"]}


def default_target_group_exists(ctx, proxy_name, o):
    return missing(lambda: ctx.client("rds").describe_db_proxy_target_groups(DBProxyName=proxy_name),
                   {"DBProxyNotFoundFault"}) is not None


def proxy_target_create(ctx, logical, i):
    target = ctx.client("rds").register_db_proxy_targets(
        DBProxyName=i["dbProxyName"], TargetGroupName=i["targetGroupName"],
        DBInstanceIdentifiers=[i["dbInstanceIdentifier"]])["DBProxyTargets"][0]
    target_id = f"{i['dbProxyName']}/{i['targetGroupName']}/RDS_INSTANCE/{i['dbInstanceIdentifier']}"
    return target_id, {"rdsResourceId": target["RdsResourceId"], "port": target.get("Port"), "type": "RDS_INSTANCE"}


def proxy_target_exists(ctx, target_id, o):
    found = missing(lambda: ctx.client("rds").describe_db_proxy_targets(
        DBProxyName=o["dbProxyName"], TargetGroupName=o["targetGroupName"]), {"DBProxyNotFoundFault"})
    return bool(found) and any(t["RdsResourceId"] == o["dbInstanceIdentifier"] for t in found["Targets"])


def secret_create(ctx, logical, i):
    name = i.get("name") or auto_name(logical)
    created = ctx.client("secretsmanager").create_secret(Name=name, Description=i.get("description", ""),
                                                         Tags=list_tags(i.get("tags")))
    return created["ARN"], {"arn": created["ARN"], "name": name}


def secret_exists(ctx, arn, o):
    found = missing(lambda: ctx.client("secretsmanager").describe_secret(SecretId=arn), {"ResourceNotFoundException"})
    return bool(found) and "DeletedDate" not in found


def secret_delete(ctx, arn, o):
    # pulumi-aws's default recovery window is 30 days; `recoveryWindowInDays: 0` deletes at once.
    window = o.get("recoveryWindowInDays", 30)
    options = {"ForceDeleteWithoutRecovery": True} if window == 0 else {"RecoveryWindowInDays": window}
    ctx.client("secretsmanager").delete_secret(SecretId=arn, **options)


def secret_version_create(ctx, logical, i):
    version = ctx.client("secretsmanager").put_secret_value(SecretId=i["secretId"], SecretString=i["secretString"])
    return f"{version['ARN']}|{version['VersionId']}", {"arn": version["ARN"], "versionId": version["VersionId"],
                                                          "versionStages": version["VersionStages"]}


def glue_connection_create(ctx, logical, i):
    name = i.get("name") or auto_name(logical)
    physical = i.get("physicalConnectionRequirements") or {}
    request = {"Name": name, "ConnectionType": i.get("connectionType", "JDBC"),
               "ConnectionProperties": i.get("connectionProperties", {})}
    if "description" in i:
        request["Description"] = i["description"]
    if physical:
        request["PhysicalConnectionRequirements"] = {
            "AvailabilityZone": physical.get("availabilityZone"), "SubnetId": physical.get("subnetId"),
            "SecurityGroupIdList": physical.get("securityGroupIdLists", [])}
    ctx.client("glue").create_connection(ConnectionInput=request, Tags=i.get("tags") or {})
    return f"{ctx.account}:{name}", {"name": name, "catalogId": ctx.account,
                                     "arn": f"arn:aws:glue:{ctx.region}:{ctx.account}:connection/{name}"}


def _describe(service, call, key, codes):
    def exists(ctx, id, o):
        return missing(lambda: getattr(ctx.client(service), call)(**{key: id}), codes) is not None
    return exists


def _describe_ec2(call, key):
    """EC2's Describe* take a list of ids and fail with *.NotFound for an unknown one."""
    def exists(ctx, id, o):
        return missing(lambda: getattr(ctx.client("ec2"), call)(**{key: [id]}), EC2_GONE) is not None
    return exists


def _delete(service, call, key, codes, **extra):
    def delete(ctx, id, o):
        missing(lambda: getattr(ctx.client(service), call)(**{key: id}, **extra), codes)
    return delete


def _forget(ctx, id, o):
    """AWS has no delete for it: pulumi-aws removes it from the state only."""


@dataclass
class Kind:
    create: object
    exists: object
    delete: object
    secret_outputs: tuple = ()


EC2_GONE = {"InvalidVpcID.NotFound", "InvalidSubnetID.NotFound", "InvalidGroup.NotFound",
            "InvalidRouteTableID.NotFound", "InvalidAssociationID.NotFound", "InvalidVpcEndpointId.NotFound"}

KINDS = {
    "aws:ec2/vpc:Vpc": Kind(vpc_create, _describe_ec2("describe_vpcs", "VpcIds"),
                            _delete("ec2", "delete_vpc", "VpcId", EC2_GONE)),
    "aws:ec2/subnet:Subnet": Kind(subnet_create,
                                  _describe_ec2("describe_subnets", "SubnetIds"),
                                  _delete("ec2", "delete_subnet", "SubnetId", EC2_GONE)),
    "aws:ec2/securityGroup:SecurityGroup": Kind(
        security_group_create,
        _describe_ec2("describe_security_groups", "GroupIds"),
        _delete("ec2", "delete_security_group", "GroupId", EC2_GONE)),
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": Kind(rule_create("ingress"), rule_exists,
                                                                      rule_delete("ingress")),
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": Kind(rule_create("egress"), rule_exists,
                                                                    rule_delete("egress")),
    "aws:ec2/routeTable:RouteTable": Kind(
        route_table_create,
        _describe_ec2("describe_route_tables", "RouteTableIds"),
        _delete("ec2", "delete_route_table", "RouteTableId", EC2_GONE)),
    "aws:ec2/routeTableAssociation:RouteTableAssociation": Kind(
        association_create, association_exists,
        _delete("ec2", "disassociate_route_table", "AssociationId", EC2_GONE)),
    "aws:ec2/vpcEndpoint:VpcEndpoint": Kind(
        gateway_endpoint_create, gateway_endpoint_exists,
        lambda ctx, id, o: ctx.client("ec2").delete_vpc_endpoints(VpcEndpointIds=[id])),
    "aws:rds/subnetGroup:SubnetGroup": Kind(
        subnet_group_create, _describe("rds", "describe_db_subnet_groups", "DBSubnetGroupName",
                                       {"DBSubnetGroupNotFoundFault"}),
        _delete("rds", "delete_db_subnet_group", "DBSubnetGroupName", {"DBSubnetGroupNotFoundFault"})),
    "aws:rds/parameterGroup:ParameterGroup": Kind(
        parameter_group_create, _describe("rds", "describe_db_parameter_groups", "DBParameterGroupName",
                                          {"DBParameterGroupNotFound"}),
        _delete("rds", "delete_db_parameter_group", "DBParameterGroupName", {"DBParameterGroupNotFound"})),
    "aws:rds/instance:Instance": Kind(
        instance_create,
        lambda ctx, id, o: _describe("rds", "describe_db_instances", "DBInstanceIdentifier",
                                     {"DBInstanceNotFound"})(ctx, o["identifier"], o),
        lambda ctx, id, o: _delete("rds", "delete_db_instance", "DBInstanceIdentifier", {"DBInstanceNotFound"},
                                   SkipFinalSnapshot=o.get("skipFinalSnapshot", False))(ctx, o["identifier"], o)),
    "aws:iam/role:Role": Kind(role_create, _describe("iam", "get_role", "RoleName", {"NoSuchEntity"}),
                              _delete("iam", "delete_role", "RoleName", {"NoSuchEntity"})),
    "aws:iam/rolePolicy:RolePolicy": Kind(
        role_policy_create,
        lambda ctx, id, o: missing(lambda: ctx.client("iam").get_role_policy(RoleName=o["role"], PolicyName=o["name"]),
                                   {"NoSuchEntity"}) is not None,
        lambda ctx, id, o: missing(lambda: ctx.client("iam").delete_role_policy(RoleName=o["role"],
                                                                                PolicyName=o["name"]),
                                   {"NoSuchEntity"})),
    "aws:rds/proxy:Proxy": Kind(proxy_create, _describe("rds", "describe_db_proxies", "DBProxyName",
                                                        {"DBProxyNotFoundFault"}),
                                _delete("rds", "delete_db_proxy", "DBProxyName", {"DBProxyNotFoundFault"})),
    "aws:rds/proxyDefaultTargetGroup:ProxyDefaultTargetGroup": Kind(default_target_group_create,
                                                                    default_target_group_exists, _forget),
    "aws:rds/proxyTarget:ProxyTarget": Kind(
        proxy_target_create, proxy_target_exists,
        lambda ctx, id, o: missing(lambda: ctx.client("rds").deregister_db_proxy_targets(
            DBProxyName=o["dbProxyName"], TargetGroupName=o["targetGroupName"],
            DBInstanceIdentifiers=[o["dbInstanceIdentifier"]]), {"DBProxyNotFoundFault", "DBProxyTargetNotFoundFault"})),
    "aws:secretsmanager/secret:Secret": Kind(secret_create, secret_exists, secret_delete),
    "aws:secretsmanager/secretVersion:SecretVersion": Kind(
        secret_version_create, lambda ctx, id, o: secret_exists(ctx, o["secretId"], o), _forget,
        secret_outputs=("secretString",)),
    "aws:glue/connection:Connection": Kind(
        glue_connection_create,
        lambda ctx, id, o: _describe("glue", "get_connection", "Name", {"EntityNotFoundException"})(ctx, o["name"], o),
        lambda ctx, id, o: _delete("glue", "delete_connection", "ConnectionName",
                                   {"EntityNotFoundException"})(ctx, o["name"], o),
        secret_outputs=("connectionProperties",)),
}


def kind_of(type_token):
    kind = KINDS.get(type_token)
    if kind is None:
        raise DoubleError(f"{type_token}: the pulumi-aws test double does not model this type "
                          f"(it models {', '.join(sorted(KINDS))})")
    return kind


def create(ctx, type_token, logical, inputs):
    """-> (id, outputs): the inputs, then what AWS made, with pulumi-aws's secret outputs wrapped."""
    values = plain(inputs)
    resource_id, computed = kind_of(type_token).create(ctx, logical, values)
    outputs = {**inputs, **computed, "id": resource_id}
    if "tags" in values:  # pulumi-aws: the resource's tags merged with the provider's default tags
        outputs["tagsAll"] = values["tags"]
    for name in kind_of(type_token).secret_outputs:
        if name in outputs:
            outputs[name] = {SIG: SECRET_SIG, "value": plain(outputs[name])}
    return resource_id, outputs


def exists(ctx, type_token, resource_id, outputs):
    return bool(kind_of(type_token).exists(ctx, resource_id, plain(outputs)))


def delete(ctx, type_token, resource_id, outputs):
    kind_of(type_token).delete(ctx, resource_id, plain(outputs))


def planned(inputs):
    """A preview of a create: pulumi-aws's Create with preview answers the inputs; the rest is unknown."""
    return dict(inputs)


def invoke(ctx, token, args):
    """The pulumi-aws functions the examples call."""
    if token == "aws:index/getAvailabilityZones:getAvailabilityZones":
        filters = [{"Name": "state", "Values": [args["state"]]}] if args.get("state") else []
        zones = ctx.client("ec2").describe_availability_zones(Filters=filters)["AvailabilityZones"]
        return {"id": ctx.region, "names": [z["ZoneName"] for z in zones], "zoneIds": [z["ZoneId"] for z in zones],
                "groupNames": sorted({z.get("GroupName", ctx.region) for z in zones}), "state": args.get("state")}
    raise DoubleError(f"{token}: the pulumi-aws test double does not model this function")


def decode_json(value):
    return json.loads(value) if isinstance(value, str) else value
