"""Acting as the Pulumi engine: launch the plugin the way the engine does, serve the Engine
service it logs to, and speak to it with the official generated stubs. Used by the protocol
tests and by the demo."""

import os
import queue
import signal
import subprocess
import tempfile
import time
from concurrent import futures

import grpc
from google.protobuf import empty_pb2, struct_pb2
from pulumi.runtime.proto import engine_pb2_grpc, provider_pb2, provider_pb2_grpc

# The engine accepts messages up to 400 MiB.
MAX_MESSAGE = 400 * 1024 * 1024


class FakeEngine(engine_pb2_grpc.EngineServicer):
    """The engine's Log endpoint; every line the provider sends lands in `logs`."""

    def __init__(self):
        self.logs = queue.Queue()
        self._server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
        engine_pb2_grpc.add_EngineServicer_to_server(self, self._server)
        self.address = f"127.0.0.1:{self._server.add_insecure_port('127.0.0.1:0')}"
        self._server.start()

    def Log(self, request, context):
        self.logs.put(request)
        return empty_pb2.Empty()

    def stop(self):
        self._server.stop(None)


# The flags `pulumi up --logtostderr --logflow -v=9 --tracing X` passes on to a plugin; without
# `--logflow` the engine passes neither `--logtostderr` nor `-v` (QUIET)
# (sdk/go/common/resource/plugin/plugin.go, buildPluginArguments).
DEBUG_FLAGS = ("--logtostderr", "-v=9", "--tracing", "file:/dev/null")
QUIET = ()


class Plugin:
    """A running provider plugin, launched with the engine's flags and address."""

    def __init__(self, binary, engine_address, env=None, flags=DEBUG_FLAGS):
        # A file, not a pipe: an unread pipe would fill up and block the plugin.
        self.stderr = tempfile.TemporaryFile()
        self.process = subprocess.Popen(
            [str(binary), *flags, engine_address],
            stdout=subprocess.PIPE,
            stderr=self.stderr,
            env=env,
        )
        first_line = self.process.stdout.readline().decode()
        if not first_line.strip().isdigit():
            raise RuntimeError(f"first stdout line must be the port, got {first_line!r}")
        self.port = int(first_line)
        self.channel = grpc.insecure_channel(
            f"127.0.0.1:{self.port}",
            options=[
                ("grpc.max_send_message_length", MAX_MESSAGE),
                ("grpc.max_receive_message_length", MAX_MESSAGE),
            ],
        )
        self.stub = provider_pb2_grpc.ResourceProviderStub(self.channel)
        self.handshake = self._handshake(engine_address)

    def _handshake(self, engine_address, timeout=10):
        # Like the engine: retry while the server is not accepting connections yet.
        deadline = time.time() + timeout
        while True:
            try:
                request = provider_pb2.ProviderHandshakeRequest(engine_address=engine_address)
                return self.stub.Handshake(request, timeout=5)
            except grpc.RpcError as e:
                if e.code() != grpc.StatusCode.UNAVAILABLE or time.time() > deadline:
                    raise
                time.sleep(0.05)

    def stderr_text(self):
        """What the plugin wrote to stderr so far. pread: the plugin shares the file offset."""
        fd = self.stderr.fileno()
        return os.pread(fd, os.fstat(fd).st_size, 0).decode(errors="replace")

    def stop(self):
        """Shut down as new engines do: Cancel, then SIGINT, then SIGKILL after 5 s."""
        if self.process.poll() is None:
            try:
                self.stub.Cancel(empty_pb2.Empty(), timeout=5)
            except grpc.RpcError:
                pass
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.channel.close()


def struct(values):
    s = struct_pb2.Struct()
    s.update(values)
    return s
