"""Parse, limit and validate each distinct GraphQL document once, in linear time.

Strawberry's depth and alias limiters are validation rules built per request (so its
validation cache, keyed by the rules, never hits) and they expand fragment spreads
(exponential for a "fragment bomb"). `DocumentGate` replaces them and both caches: on
a miss it parses with a token limit, measures the document in linear time
(schema/document_limits.py), validates it, and keeps the outcome in an LRU keyed by the
query text and bounded in entries and in bytes. In production it also refuses
introspection and leaves "Did you mean ...?" out of validation messages.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass

from graphql import (
    ASTValidationRule,
    DocumentNode,
    GraphQLError,
    NoSchemaIntrospectionCustomRule,
    parse,
    validate,
)
from graphql.validation.rules import overlapping_fields_can_be_merged
from strawberry.extensions import SchemaExtension
from strawberry.schema.validation_rules.maybe_null import MaybeNullValidationRule
from strawberry.schema.validation_rules.one_of import OneOfInputValidationRule

from schema.document_limits import Limits, limit_errors

# A parsed document takes far more memory than its text: tracemalloc measured 95-118
# bytes per character on the README's queries and a 13 KB one of 300 aliases.
AST_BYTES_PER_CHAR = 120
ENTRY_OVERHEAD = 2_048
# graphql-core compares same-named fields pairwise within this budget (default 500,000,
# which took 1.5 s on 1,200 `customer { id }` here; 50,000 aborts that in 0.2 s and is
# far above what real queries use). Its documented knob: a module attribute.
overlapping_fields_can_be_merged.MAX_COMPLEXITY_BUDGET = 50_000
ABORTED = (
    "Validation aborted: the document merges too many fields of the same name "
    "(select each field once per selection set)"
)


@dataclass(frozen=True)
class Checked:
    document: DocumentNode
    errors: tuple[GraphQLError, ...]
    size: int


class DocumentCache:
    """An LRU of checked documents, bounded by entries and by estimated bytes."""

    def __init__(self, max_entries: int, max_bytes: int) -> None:
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.bytes = 0
        self.hits = 0
        self.misses = 0
        self._entries: OrderedDict[str, Checked] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, query: str) -> Checked | None:
        found = self._entries.get(query)
        if found is None:
            self.misses += 1
            return None
        self.hits += 1
        self._entries.move_to_end(query)
        return found

    def put(self, query: str, checked: Checked) -> None:
        # A document too big for a fair share of the budget is checked every time instead.
        if self.max_entries <= 0 or checked.size > self.max_bytes // 8 or query in self._entries:
            return
        self._entries[query] = checked
        self.bytes += checked.size
        while len(self._entries) > self.max_entries or self.bytes > self.max_bytes:
            _, evicted = self._entries.popitem(last=False)
            self.bytes -= evicted.size


class DocumentGate(SchemaExtension):
    """Strawberry extension: serve parse and validation results from `cache`."""

    def __init__(self, cache: DocumentCache, limits: Limits, production: bool = False) -> None:
        self.cache = cache
        self.limits = limits
        self.production = production
        self._checked: Checked | None = None
        self._fresh = False  # parsed by this request: still to be limited and validated

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        query = context.query
        if query is not None:
            self._checked = self.cache.get(query)
            if self._checked is None:
                try:
                    document = parse(query, max_tokens=self.limits.max_tokens)
                except GraphQLError:
                    # Left unset, Strawberry parses again and reports the error its usual
                    # way (through every extension, so it gets an `extensions.code`).
                    context.parse_options["max_tokens"] = self.limits.max_tokens
                    yield
                    return
                size = ENTRY_OVERHEAD + AST_BYTES_PER_CHAR * len(query)
                self._checked, self._fresh = Checked(document, (), size), True
            context.graphql_document = self._checked.document
        yield

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        checked = self._checked
        if checked is not None and context.query is not None:
            if self._fresh:
                checked = self._validate(context.query, checked)
            context.pre_execution_errors = list(checked.errors)
        yield

    def _validate(self, query: str, parsed: Checked) -> Checked:
        context = self.execution_context
        errors = limit_errors(parsed.document, self.limits)
        if not errors:
            rules = (*context.validation_rules, *self._rules())
            errors = validate(
                context.schema._schema,
                parsed.document,
                rules,
                hide_suggestions=self.production,
            )
        errors = [
            GraphQLError(ABORTED) if e.message == "Validation aborted." else e for e in errors
        ]
        checked = Checked(parsed.document, tuple(errors), parsed.size)
        self.cache.put(query, checked)
        return checked

    def _rules(self) -> tuple[type[ASTValidationRule], ...]:
        # Strawberry's own two (what its `validate_document` adds to graphql-core's
        # specified rules, which bound introspection depth), and in production no
        # introspection at all.
        rules: tuple[type[ASTValidationRule], ...] = (
            MaybeNullValidationRule,
            OneOfInputValidationRule,
        )
        return (*rules, NoSchemaIntrospectionCustomRule) if self.production else rules
