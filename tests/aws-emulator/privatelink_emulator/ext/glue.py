"""Glue connections as the article's consumer uses them (a JDBC connection in the consumer VPC).

moto 5.2.5 serves CreateConnection, GetConnection and GetConnections but not DeleteConnection
(a 500), and its Connection lacks ConnectionType, Description and MatchCriteria
(https://docs.aws.amazon.com/glue/latest/webapi/API_Connection.html); the emulator adds those given
at creation (https://docs.aws.amazon.com/glue/latest/webapi/API_CreateConnection.html). DeleteConnection (https://docs.aws.amazon.com/glue/latest/webapi/API_DeleteConnection.html)
removes the connection and its tags and answers `{}`; an unknown name is EntityNotFoundException.
A Glue connection is only a catalog entry: its subnet and security groups are used by the ENIs of
job runs, not by the connection itself, so it does not block DeleteSecurityGroup or DeleteSubnet.
"""
from moto.core.responses import ActionResult
from moto.glue.exceptions import EntityNotFoundException
from moto.glue.models import FakeConnection, GlueBackend
from moto.glue.responses import GlueResponse


def delete_connection(backend, name):
    connection = backend.connections.get(name)
    if connection is None:
        raise EntityNotFoundException(f"Connection {name} not found")
    backend.tagger.delete_all_tags_for_resource(connection.arn)
    del backend.connections[name]


def _patch_connection_shape():
    original = FakeConnection.as_dict

    def as_dict(self, hide_password=False):
        result = original(self, hide_password)
        for key in ("ConnectionType", "Description", "MatchCriteria"):
            if self.connection_input.get(key) is not None:
                result[key] = self.connection_input[key]
        return result

    FakeConnection.as_dict = as_dict


def install():
    _patch_connection_shape()
    GlueBackend.delete_connection = delete_connection

    def delete_connection_response(self):
        self.glue_backend.delete_connection(self._get_param("ConnectionName"))
        return ActionResult({})

    GlueResponse.delete_connection = delete_connection_response
