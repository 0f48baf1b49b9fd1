"""The parts of schema.json the SDK generators read, resolved once.

Pulumi's schema binder (pkg/codegen/schema/bind.go, bindProperties) orders an object's properties
by name; the generated SDKs list them in that order, so the model does too.
"""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

TYPE_REF_PREFIX = "#/types/"


class SchemaError(Exception):
    """schema.json uses something the generator does not handle."""


@dataclass(frozen=True)
class TypeSpec:
    """A property's type: a primitive, an array, a string-keyed map, or a named object type."""

    kind: str  # "string" | "integer" | "number" | "boolean" | "array" | "map" | "object"
    element: TypeSpec | None = None  # array items or map values
    object_name: str | None = None  # short name of the referenced object type, e.g. "AssumeRole"


@dataclass(frozen=True)
class Property:
    name: str  # the wire (camelCase) name
    type: TypeSpec
    description: str
    required: bool
    secret: bool


@dataclass(frozen=True)
class ObjectType:
    token: str
    name: str
    description: str
    properties: list[Property]


@dataclass(frozen=True)
class Resource:
    token: str
    name: str
    description: str
    inputs: list[Property]
    outputs: list[Property]


@dataclass
class Package:
    name: str
    description: str
    version: str
    homepage: str
    repository: str
    license: str
    keywords: list[str]
    python_package: str
    nodejs_package: str
    config: list[Property]
    provider: Resource
    resources: list[Resource]
    types: dict[str, ObjectType] = field(default_factory=dict)

    def contains_secret(self, spec: TypeSpec, seen: frozenset[str] = frozenset()) -> bool:
        """Whether a value of this type can hold a secret field (at any depth)."""
        if spec.element is not None:
            return self.contains_secret(spec.element, seen)
        if spec.object_name is None or spec.object_name in seen:
            return False
        obj = self.types[spec.object_name]
        return any(
            p.secret or self.contains_secret(p.type, seen | {spec.object_name}) for p in obj.properties
        )

    def is_secret_input(self, prop: Property) -> bool:
        """Inputs the SDKs wrap as secrets before they reach the engine.

        Pulumi's generators wrap only properties marked `secret` themselves. We also wrap a property
        whose object type has a secret field (the provider's `assumeRole` holds `externalId`):
        a provider's object inputs travel as one JSON string, and left unwrapped that string would
        sit unsecret in the state with the secret inside it.
        """
        return prop.secret or self.contains_secret(prop.type)

    def types_reachable(self, props: list[Property]) -> list[str]:
        """Names of the object types reachable from these properties, sorted."""
        found: set[str] = set()

        def visit(spec: TypeSpec) -> None:
            if spec.element is not None:
                visit(spec.element)
            elif spec.object_name is not None and spec.object_name not in found:
                found.add(spec.object_name)
                for p in self.types[spec.object_name].properties:
                    visit(p.type)

        for p in props:
            visit(p.type)
        return sorted(found)


def short_name(token: str) -> str:
    parts = token.split(":")
    if len(parts) != 3:
        raise SchemaError(f"token {token!r} is not package:module:Name")
    return parts[2]


def parse_type(spec: dict[str, Any], where: str) -> TypeSpec:
    if "$ref" in spec:
        ref = spec["$ref"]
        if not ref.startswith(TYPE_REF_PREFIX):
            raise SchemaError(f"{where}: only local type references are supported, got {ref!r}")
        return TypeSpec("object", object_name=short_name(ref[len(TYPE_REF_PREFIX):]))
    kind = spec.get("type")
    if kind == "array":
        return TypeSpec("array", element=parse_type(spec["items"], f"{where}.items"))
    if kind == "object":
        if "additionalProperties" not in spec:
            raise SchemaError(f"{where}: an inline object needs additionalProperties (a map)")
        return TypeSpec("map", element=parse_type(spec["additionalProperties"], f"{where}.additionalProperties"))
    if kind in ("string", "integer", "number", "boolean"):
        return TypeSpec(kind)
    raise SchemaError(f"{where}: unsupported type {spec!r}")


def parse_properties(props: dict[str, Any], required: list[str], where: str) -> list[Property]:
    unknown = set(required) - set(props)
    if unknown:
        raise SchemaError(f"{where}: required names no property: {sorted(unknown)}")
    return [
        Property(
            name=name,
            type=parse_type(spec, f"{where}.{name}"),
            description=spec.get("description", ""),
            required=name in required,
            secret=bool(spec.get("secret", False)),
        )
        for name, spec in sorted(props.items())
    ]


def workspace_version(repo: Path) -> str:
    """The plugin's version: provider/Cargo.toml's, which inherits the workspace's.

    schema.json carries no `version`, so the SDKs take the one the plugin binary is built with.
    """
    provider = tomllib.loads((repo / "provider" / "Cargo.toml").read_text())["package"]["version"]
    if isinstance(provider, str):
        return provider
    if provider != {"workspace": True}:
        raise SchemaError(f"provider/Cargo.toml: unexpected version {provider!r}")
    return tomllib.loads((repo / "Cargo.toml").read_text())["workspace"]["package"]["version"]


def load(repo: Path) -> Package:
    raw = json.loads((repo / "schema.json").read_text())
    name = raw["name"]
    version = raw.get("version") or workspace_version(repo)
    if not re.fullmatch(r"\d+\.\d+\.\d+([-+][0-9A-Za-z.-]+)?", version):
        raise SchemaError(f"version {version!r} is not semver")

    types = {}
    for token, spec in sorted(raw.get("types", {}).items()):
        if spec.get("type") != "object":
            raise SchemaError(f"types.{token}: only object types are supported")
        types[short_name(token)] = ObjectType(
            token=token,
            name=short_name(token),
            description=spec.get("description", ""),
            properties=parse_properties(spec.get("properties", {}), spec.get("required", []), f"types.{token}"),
        )

    def resource(token: str, spec: dict[str, Any], res_name: str) -> Resource:
        return Resource(
            token=token,
            name=res_name,
            description=spec.get("description", ""),
            inputs=parse_properties(spec.get("inputProperties", {}), spec.get("requiredInputs", []), token),
            outputs=parse_properties(spec.get("properties", {}), spec.get("required", []), token),
        )

    config_vars = raw.get("config", {}).get("variables", {})
    package = Package(
        name=name,
        description=raw.get("description", ""),
        version=version,
        homepage=raw.get("homepage", ""),
        repository=raw.get("repository", ""),
        license=raw.get("license", ""),
        keywords=list(raw.get("keywords", [])),
        python_package=raw["language"]["python"]["packageName"],
        nodejs_package=raw["language"]["nodejs"]["packageName"],
        config=parse_properties(config_vars, raw.get("config", {}).get("defaults", []), "config"),
        provider=resource(f"pulumi:providers:{name}", raw["provider"], "Provider"),
        resources=[resource(tok, spec, short_name(tok)) for tok, spec in sorted(raw["resources"].items())],
        types=types,
    )
    check_references(package)
    return package


def check_references(package: Package) -> None:
    def check(spec: TypeSpec, where: str) -> None:
        if spec.element is not None:
            check(spec.element, where)
        elif spec.object_name is not None and spec.object_name not in package.types:
            raise SchemaError(f"{where}: no type named {spec.object_name!r} in types")

    holders = [("config", package.config)]
    holders += [(r.token, r.inputs + r.outputs) for r in [package.provider, *package.resources]]
    holders += [(t.token, t.properties) for t in package.types.values()]
    for where, props in holders:
        for prop in props:
            check(prop.type, f"{where}.{prop.name}")
