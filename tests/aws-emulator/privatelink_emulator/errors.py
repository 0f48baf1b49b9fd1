"""AWS error bodies for responses the emulator makes itself (faults, control checks).

Shapes follow each protocol's documented error format:
- EC2: https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html
  (<Response><Errors><Error><Code/><Message/></Error></Errors><RequestID/></Response>)
- Query protocol (ELBv2, RDS, IAM, STS): <ErrorResponse><Error><Type/><Code/><Message/></Error>
- JSON protocols: {"__type": code, "message": ...}"""
import json
import uuid
from xml.sax.saxutils import escape

_EC2 = {"ec2"}
_QUERY = {"elbv2", "rds", "iam", "sts", "elasticloadbalancing", "autoscaling", "sns", "sqs", "cloudformation"}


def protocol_of(service):
    if service in _EC2:
        return "ec2"
    if service in _QUERY:
        return "query"
    return "json"


def render(service, status, code, message):
    """Returns (status, headers, body bytes)."""
    request_id = str(uuid.uuid4())
    protocol = protocol_of(service)
    if protocol == "ec2":
        body = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response><Errors><Error>"
                f"<Code>{escape(code)}</Code><Message>{escape(message)}</Message>"
                f"</Error></Errors><RequestID>{request_id}</RequestID></Response>")
        return status, [("Content-Type", "text/xml"), ("x-amzn-RequestId", request_id)], body.encode()
    if protocol == "query":
        kind = "Receiver" if status >= 500 else "Sender"
        body = ("<ErrorResponse><Error>"
                f"<Type>{kind}</Type><Code>{escape(code)}</Code><Message>{escape(message)}</Message>"
                f"</Error><RequestId>{request_id}</RequestId></ErrorResponse>")
        return status, [("Content-Type", "text/xml"), ("x-amzn-RequestId", request_id)], body.encode()
    body = json.dumps({"__type": code, "message": message})
    headers = [("Content-Type", "application/x-amz-json-1.1"), ("x-amzn-RequestId", request_id),
               ("x-amzn-ErrorType", code)]
    return status, headers, body.encode()


# Throttling codes per service, from each API reference's "Common Errors" page:
# EC2 https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html (RequestLimitExceeded, 503)
# ELBv2 https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/CommonErrors.html (Throttling, 400)
def throttle(service):
    if service == "ec2":
        return render(service, 503, "RequestLimitExceeded", "Request limit exceeded.")
    if protocol_of(service) == "query":
        return render(service, 400, "Throttling", "Rate exceeded")
    return render(service, 400, "ThrottlingException", "Rate exceeded")


def refused(service, code=None):
    """A client error that retrying cannot fix."""
    if code is None:
        code = "UnauthorizedOperation" if service == "ec2" else "AccessDenied"
    return render(service, 400, code, "You are not authorized to perform this operation. (emulator fault)")


def server_error(service, status):
    """HTTP 500/503 with the common InternalError/InternalFailure and Unavailable/ServiceUnavailable codes."""
    if service == "ec2":
        code = "InternalError" if status == 500 else "Unavailable"
        message = "An internal error has occurred" if status == 500 else "The server is overloaded and can't handle the request."
    else:
        code = "InternalFailure" if status == 500 else "ServiceUnavailable"
        message = "The request processing has failed because of an unknown error." if status == 500 else "The request has failed due to a temporary failure of the server."
    return render(service, status, code, message)
