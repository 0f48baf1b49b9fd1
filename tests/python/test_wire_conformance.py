"""Every message, field, enum value and RPC that pulumi-rs-wire defines must match Pulumi's own
protocol, as described by the descriptors embedded in the official `pulumi` package."""

import subprocess

import pytest
from google.protobuf import descriptor_pb2, descriptor_pool

# Importing these registers Pulumi's (and Google's) descriptors in the default pool.
from pulumi.runtime.proto import engine_pb2, plugin_pb2, provider_pb2  # noqa: F401
from google.rpc import status_pb2  # noqa: F401

F = descriptor_pb2.FieldDescriptorProto


def our_files(descriptors_binary):
    raw = subprocess.run([str(descriptors_binary)], check=True, capture_output=True).stdout
    fds = descriptor_pb2.FileDescriptorSet.FromString(raw)
    return [f for f in fds.file if not f.name.startswith("google/protobuf/")]


def _messages(prefix, messages):
    for m in messages:
        full = f"{prefix}.{m.name}"
        yield full, m
        yield from _messages(full, m.nested_type)


def _enums(prefix, file_or_message_enums, messages):
    for e in file_or_message_enums:
        yield f"{prefix}.{e.name}", e
    for full, m in _messages(prefix, messages):
        for e in m.enum_type:
            yield f"{full}.{e.name}", e


def _field_summary(field):
    """What the wire depends on: number, type, label, referenced type, proto3 optional."""
    return {
        "number": field.number,
        "type": field.type,
        "label": field.label,
        "type_name": field.type_name.lstrip("."),
        "proto3_optional": field.proto3_optional,
    }


def _reference_field_summary(field):
    return {
        "number": field.number,
        "type": field.type,
        "label": F.LABEL_REPEATED if field.is_repeated else F.LABEL_OPTIONAL,
        "type_name": (field.message_type or field.enum_type).full_name
        if (field.message_type or field.enum_type)
        else "",
        "proto3_optional": field.has_presence and field.containing_oneof is not None
        and field.containing_oneof.name.startswith("_"),
    }


def mismatches(files, pool=None):
    """Every difference between our descriptors and the reference pool, as readable lines."""
    pool = pool or descriptor_pool.Default()
    problems = []
    for f in files:
        for full, ours in _messages(f.package, f.message_type):
            try:
                ref = pool.FindMessageTypeByName(full)
            except KeyError:
                problems.append(f"message {full}: not in Pulumi's protocol")
                continue
            ref_fields = {fd.name: fd for fd in ref.fields}
            for field in ours.field:
                where = f"{full}.{field.name}"
                if field.name not in ref_fields:
                    problems.append(f"field {where}: no field of that name in Pulumi's message")
                    continue
                a, b = _field_summary(field), _reference_field_summary(ref_fields[field.name])
                # Map entry types are synthesised with the same name on both sides.
                for key in a:
                    if a[key] != b[key]:
                        problems.append(f"field {where}: {key} is {a[key]!r}, Pulumi has {b[key]!r}")
        for full, ours in _enums(f.package, f.enum_type, f.message_type):
            try:
                ref = pool.FindEnumTypeByName(full)
            except KeyError:
                problems.append(f"enum {full}: not in Pulumi's protocol")
                continue
            ref_values = {v.name: v.number for v in ref.values}
            for v in ours.value:
                if ref_values.get(v.name) != v.number:
                    problems.append(
                        f"enum value {full}.{v.name}: number {v.number}, Pulumi has {ref_values.get(v.name)!r}"
                    )
        for service in f.service:
            full = f"{f.package}.{service.name}"
            try:
                ref = pool.FindServiceByName(full)
            except KeyError:
                problems.append(f"service {full}: not in Pulumi's protocol")
                continue
            ref_methods = {m.name: m for m in ref.methods}
            for m in service.method:
                where = f"rpc {full}.{m.name}"
                if m.name not in ref_methods:
                    problems.append(f"{where}: not in Pulumi's service")
                    continue
                r = ref_methods[m.name]
                if m.input_type.lstrip(".") != r.input_type.full_name:
                    problems.append(f"{where}: takes {m.input_type}, Pulumi's takes {r.input_type.full_name}")
                if m.output_type.lstrip(".") != r.output_type.full_name:
                    problems.append(f"{where}: returns {m.output_type}, Pulumi's returns {r.output_type.full_name}")
                if m.client_streaming or m.server_streaming:
                    problems.append(f"{where}: streaming differs")
    return problems


def test_every_definition_matches_pulumis_descriptors(descriptors_binary):
    files = our_files(descriptors_binary)
    names = {f.name for f in files}
    assert {"pulumi/provider.proto", "pulumi/engine.proto", "pulumi/plugin.proto"} <= names
    counted = sum(len(list(_messages(f.package, f.message_type))) for f in files)
    assert counted >= 20, f"only {counted} messages compared"
    assert mismatches(files) == []


@pytest.mark.parametrize(
    "mutate, expected",
    [
        (lambda m: setattr(m.field[0], "number", 99), "field pulumirpc.CheckFailure.property: number is 99"),
        (lambda m: setattr(m.field[1], "name", "reasons"), "field pulumirpc.CheckFailure.reasons: no field"),
        (lambda m: setattr(m.field[1], "type", F.TYPE_BYTES), "field pulumirpc.CheckFailure.reason: type"),
        (lambda m: setattr(m.field[1], "label", F.LABEL_REPEATED), "field pulumirpc.CheckFailure.reason: label"),
    ],
)
def test_a_wrong_definition_is_caught_and_named(descriptors_binary, mutate, expected):
    files = our_files(descriptors_binary)
    provider = next(f for f in files if f.name == "pulumi/provider.proto")
    check_failure = next(m for m in provider.message_type if m.name == "CheckFailure")
    mutate(check_failure)
    found = mismatches(files)
    assert any(line.startswith(expected) for line in found), found
