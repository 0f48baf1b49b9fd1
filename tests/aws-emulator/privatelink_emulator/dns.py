"""A small DNS server on a loopback UDP port answering A queries for the hostnames the
emulator knows: RDS instance and proxy endpoints, and VPC endpoint DNS names. The control
API can pin a hostname to other addresses, as an RDS failover changes what AWS's DNS answers
(https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Concepts.MultiAZ.Failover.html).
TXT records published over the control API stand for the public DNS that endpoint service
private DNS name verification reads
(https://docs.aws.amazon.com/vpc/latest/privatelink/manage-dns-names.html)."""
import socketserver
import threading

from dnslib import QTYPE, RCODE, RR, TXT, A, DNSRecord

from .state import LOCK

SERVER_ADDRESS = None  # "127.0.0.1:PORT" once started
TTL = 5  # RDS endpoints use short TTLs so clients follow failovers


def _norm(hostname):
    return hostname.rstrip(".").lower()


class Overrides:
    """Records set over the control API (A: they win over the ones derived from resources)."""

    def __init__(self, what):
        self._what = what
        self._records = {}

    def set(self, hostname, values):
        if not isinstance(values, list) or not all(isinstance(a, str) for a in values):
            raise ValueError(f"{self._what} must be a list of strings")
        self._records[_norm(hostname)] = list(values)

    def get(self, hostname):
        return self._records.get(_norm(hostname), [])

    def items(self):
        return dict(self._records)

    def clear(self):
        self._records.clear()


RECORDS = Overrides("addresses")  # A records
TXT_RECORDS = Overrides("txt")  # TXT records, e.g. _<name>.example.com -> ["vpce:..."]


def all_records():
    """hostname -> addresses; caller holds LOCK."""
    from .ext import ec2_privatelink, rds
    records = {}
    records.update({_norm(h): a for h, a in rds.hostnames().items()})
    records.update({_norm(h): a for h, a in ec2_privatelink.endpoint_hostnames().items()})
    records.update(RECORDS.items())
    return records


def lookup(hostname):
    with LOCK:
        return all_records().get(_norm(hostname))


class _Handler(socketserver.BaseRequestHandler):
    def handle(self):
        data, sock = self.request
        try:
            query = DNSRecord.parse(data)
        except Exception:  # not DNS: ignore, as a resolver would
            return
        reply = query.reply()
        name = str(query.q.qname)
        if query.q.qtype == QTYPE.TXT:
            with LOCK:
                texts = TXT_RECORDS.get(name)
            if not texts:
                reply.header.rcode = RCODE.NXDOMAIN
            for text in texts:
                reply.add_answer(RR(name, QTYPE.TXT, rdata=TXT(text), ttl=TTL))
            sock.sendto(reply.pack(), self.client_address)
            return
        addresses = lookup(name)
        if addresses is None:
            reply.header.rcode = RCODE.NXDOMAIN
        elif query.q.qtype in (QTYPE.A, QTYPE.ANY):
            for address in addresses:
                reply.add_answer(RR(name, QTYPE.A, rdata=A(address), ttl=TTL))
        sock.sendto(reply.pack(), self.client_address)


class _Server(socketserver.ThreadingUDPServer):
    daemon_threads = True
    allow_reuse_address = True


def start(port=0):
    global SERVER_ADDRESS
    server = _Server(("127.0.0.1", port), _Handler)
    SERVER_ADDRESS = f"127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, daemon=True, name="dns").start()
    return server


def query(server_address, hostname, timeout=2.0):
    """Client helper for tests: A records of hostname from the emulator's DNS server."""
    host, port = server_address.rsplit(":", 1)
    request = DNSRecord.question(hostname, "A")
    answer = DNSRecord.parse(request.send(host, int(port), timeout=timeout))
    if answer.header.rcode == RCODE.NXDOMAIN:
        return None
    return [str(rr.rdata) for rr in answer.rr if rr.rtype == QTYPE.A]
