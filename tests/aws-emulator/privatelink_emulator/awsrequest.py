"""Reads who is calling which AWS action from a raw WSGI request, the way AWS does:
the SigV4 credential scope names the access key, region and service; the Query protocol
(EC2, ELBv2, RDS, IAM, STS) carries `Action` in the form body; JSON protocols carry it in
`X-Amz-Target`. https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html"""
import io
import re
from dataclasses import dataclass, field
from urllib.parse import parse_qs

_CREDENTIAL = re.compile(r"Credential=([^/,\s]+)/\d{8}/([^/]+)/([^/]+)/aws4_request")
ACCOUNT_KEY = re.compile(r"\d{12}")
DEFAULT_ACCOUNT = "123456789012"  # moto's default account

# Calls that read or only mint credentials; every other action counts as a write.
_READ_PREFIXES = ("Describe", "List", "Get", "Search", "Lookup", "Check", "Validate", "Preview")
_NON_WRITES = {("sts", "AssumeRole"), ("sts", "AssumeRoleWithWebIdentity"), ("sts", "GetSessionToken")}

# SigV4 signing names -> service names used in the log and in fault rules.
_SERVICE_ALIASES = {"elasticloadbalancing": "elbv2"}


@dataclass
class AwsRequest:
    service: str
    action: str
    account: str
    region: str
    access_key: str
    params: dict = field(default_factory=dict)
    # The IAM principal the call is made as (see caller_arn).
    caller: str = ""
    # What the SDK says of its own retries (sdk_retry_info): one id per SDK invocation, kept by
    # every attempt the SDK makes of it, and this attempt's number and the SDK's maximum.
    invocation_id: str = ""
    sdk_attempt: int = 0
    sdk_max_attempts: int = 0

    @property
    def write(self):
        if (self.service, self.action) in _NON_WRITES:
            return False
        return not self.action.startswith(_READ_PREFIXES)


def read_body(environ):
    """Reads the body once and puts it back so moto can read it again."""
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > 0:
        body = environ["wsgi.input"].read(length)
    elif environ.get("wsgi.input_terminated"):  # chunked upload: read to the end
        body = environ["wsgi.input"].read()
    else:
        body = b""
    environ["wsgi.input"] = io.BytesIO(body)
    environ["CONTENT_LENGTH"] = str(len(body))
    return body


def parse(environ, body):
    auth = environ.get("HTTP_AUTHORIZATION", "")
    match = _CREDENTIAL.search(auth)
    access_key, region, service = match.groups() if match else ("", "us-east-1", "unknown")
    service = _SERVICE_ALIASES.get(service, service)
    params = parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True)
    content_type = environ.get("CONTENT_TYPE", "")
    if "x-www-form-urlencoded" in content_type or (body and not content_type):
        params.update(parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True))
    action = (params.get("Action") or [""])[0]
    target = environ.get("HTTP_X_AMZ_TARGET", "")
    if not action and target:
        action = target.split(".")[-1]
    if not action and service == "route53":
        from .ext.route53 import rest_action
        action = rest_action(environ.get("REQUEST_METHOD", "GET"), environ.get("PATH_INFO", "/")) or ""
    if not action:
        action = f"{environ.get('REQUEST_METHOD', 'GET')} {environ.get('PATH_INFO', '/')}"
    account = resolve_account(environ, access_key)
    invocation_id, attempt, max_attempts = sdk_retry_info(environ)
    return AwsRequest(service, action, account, region, access_key, params, caller_arn(access_key, account),
                      invocation_id, attempt, max_attempts)


_SDK_REQUEST = re.compile(r"attempt=(\d+)(?:;\s*max=(\d+))?")


def sdk_retry_info(environ):
    """(invocation id, attempt, max attempts) from the headers AWS SDKs send with every attempt:
    `amz-sdk-invocation-id` (the same for every retry of one SDK call) and `amz-sdk-request:
    attempt=N; max=M` (the Smithy SDKs' retry headers, sent by the Rust SDK's RequestInfo
    interceptor and by botocore). ("", 0, 0) when the client sends none."""
    invocation = environ.get("HTTP_AMZ_SDK_INVOCATION_ID", "")
    match = _SDK_REQUEST.search(environ.get("HTTP_AMZ_SDK_REQUEST", ""))
    attempt = int(match.group(1)) if match else 0
    max_attempts = int(match.group(2)) if match and match.group(2) else 0
    return invocation, attempt, max_attempts


def caller_arn(access_key, account):
    """The principal behind an access key: the role for keys from sts:AssumeRole (as an allowed
    principal names it, arn:aws:iam::<account>:role/<name>), otherwise the account root (the
    emulator's 12-digit keys act as the account itself)."""
    if access_key and not ACCOUNT_KEY.fullmatch(access_key):
        from moto.sts.models import sts_backends
        for partition_backend in sts_backends[account].values():
            role = partition_backend.get_assumed_role_from_access_key(access_key)
            if role is not None:
                return role.role_arn
    return f"arn:aws:iam::{account}:root"


def resolve_account(environ, access_key):
    """Emulator convention: an access key id of exactly 12 digits *is* the account id, so a
    client acts as an account with static env credentials. We pass it to moto through its
    `x-moto-account-id` header. Other keys (e.g. from sts:AssumeRole) resolve as moto does."""
    explicit = environ.get("HTTP_X_MOTO_ACCOUNT_ID")
    if explicit:
        return explicit
    if ACCOUNT_KEY.fullmatch(access_key or ""):
        environ["HTTP_X_MOTO_ACCOUNT_ID"] = access_key
        return access_key
    if not access_key:
        return DEFAULT_ACCOUNT
    from moto.iam.models import get_account_id_from
    return get_account_id_from(access_key)
