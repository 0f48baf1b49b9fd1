"""Local AWS emulator for pulumi-privatelink: moto in server mode plus the PrivateLink
behaviours moto lacks, fault injection, a call log, an inventory and a DNS server.

Every behaviour added on top of moto cites the AWS documentation page it follows."""
