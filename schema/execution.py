"""The execution context: graphql-core's, with a fast path for plain objects.

Profiled (py-spy, `salesReport` with 392 rows in-process): about 85% of the time went to
graphql-core completing every field of every row one by one (a resolve info, a resolver
call, a path, a leaf completion: some 10 µs a field), far more than the engine's answer.
Most result types are plain: every field a Strawberry field without a resolver, without
arguments, reading an attribute. For those, `execute_collected_subfields` builds the
result dict directly from the fields graphql-core has already collected (aliases,
fragments, `@include`/`@skip` applied): attribute, then the scalar's or enum's
`serialize`, recursing into plain objects and lists of them.

Anything else takes graphql-core's path, for the whole object: a type with a resolver or
arguments, `@defer`, middleware, a null where the schema says non-null, a value a scalar
refuses to serialise. Nothing is written before the fast path has succeeded, so falling
back computes the same object (and the same errors) as if the fast path did not exist.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from weakref import WeakKeyDictionary

from graphql import (
    GraphQLEnumType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLScalarType,
    Undefined,
)
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import GraphQLCoreConverter

_BACKREF = GraphQLCoreConverter.DEFINITION_BACKREF
_Fields = Mapping[str, tuple[str, Any]]  # GraphQL field name → (python name, resolver)


class _Fallback(Exception):
    """The object cannot take the fast path: graphql-core completes it."""


# Per schema type, computed once; weak, so the types of a discarded schema are not kept.
_PLAIN: WeakKeyDictionary[GraphQLObjectType, _Fields | None] = WeakKeyDictionary()


def plain_fields(object_type: GraphQLObjectType) -> _Fields | None:
    """The type's fields if every one is a basic Strawberry field, else None."""
    if object_type not in _PLAIN:
        _PLAIN[object_type] = _plain(object_type)
    return _PLAIN[object_type]


def _plain(object_type: GraphQLObjectType) -> _Fields | None:
    if object_type.is_type_of is not None:
        return None
    found: dict[str, tuple[str, Any]] = {}
    for name, field in object_type.fields.items():
        strawberry_field = (field.extensions or {}).get(_BACKREF)
        basic = getattr(field.resolve, "_is_default", False)
        if strawberry_field is None or not basic or field.args:
            return None
        found[name] = (strawberry_field.python_name, strawberry_field.default_resolver)
    return found


class FastExecutionContext(StrawberryGraphQLCoreExecutionContext):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        middleware = self.middleware_manager  # wraps every resolver: no fast path then
        self._fast = middleware is None or not middleware.middlewares

    def execute_collected_subfields(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Any,
        grouped_field_set: Any,
        new_defer_usages: Sequence[Any],
        delivery_group_map: Any,
    ) -> Any:
        if self._fast and delivery_group_map is None and not new_defer_usages:
            fields = plain_fields(parent_type)
            if fields is not None:
                try:
                    return self._plain_object(parent_type, fields, source_value, grouped_field_set)
                except _Fallback:
                    pass
        return super().execute_collected_subfields(
            parent_type,
            source_value,
            path,
            grouped_field_set,
            new_defer_usages,
            delivery_group_map,
        )

    def _plain_object(
        self,
        object_type: GraphQLObjectType,
        fields: _Fields,
        source: Any,
        grouped_field_set: Mapping[str, Any],
    ) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for response_name, details in grouped_field_set.items():
            name = details[0].node.name.value
            if name == "__typename":
                result[response_name] = object_type.name
                continue
            python_name, resolver = fields[name]
            field_type = object_type.fields[name].type
            result[response_name] = self._plain_value(
                field_type, resolver(source, python_name), details
            )
        return result

    def _plain_value(self, field_type: GraphQLOutputType, value: Any, details: Any) -> Any:
        if isinstance(field_type, GraphQLNonNull):
            if value is None:
                raise _Fallback  # graphql-core reports the null
            field_type = field_type.of_type
        if value is None:
            return None
        if isinstance(field_type, GraphQLScalarType | GraphQLEnumType):
            try:
                serialized = field_type.serialize(value)
            except Exception:
                raise _Fallback from None  # graphql-core reports the refusal
            if serialized is None or serialized is Undefined:
                raise _Fallback
            return serialized
        if isinstance(field_type, GraphQLList):
            if isinstance(value, str | bytes | Mapping) or not isinstance(value, Sequence):
                raise _Fallback
            item_type = field_type.of_type
            return [self._plain_value(item_type, item, details) for item in value]
        if isinstance(field_type, GraphQLObjectType):
            fields = plain_fields(field_type)
            if fields is None:
                raise _Fallback
            grouped, new_defer_usages, _ = self.collect_subfields(field_type, details)
            if new_defer_usages:
                raise _Fallback
            return self._plain_object(field_type, fields, value, grouped)
        raise _Fallback  # interfaces and unions: graphql-core resolves the type
