"""Parse, limit and validate each distinct GraphQL document once, in linear time.

Strawberry's depth and alias limiters are validation rules built per request (so its
validation cache, keyed by the rules, never hits) and they expand fragment spreads
(exponential for a "fragment bomb"). `DocumentGate` replaces them and both caches: on
a miss it parses with a token limit, measures the document in one pass over its
definitions (each fragment measured once), validates it, and keeps the outcome in an
LRU keyed by the query text and bounded in entries and in bytes.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    parse,
)
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import validate_document

# A parsed document takes far more memory than its text: tracemalloc measured 95-118
# bytes per character on the README's queries and a 13 KB one of 300 aliases.
AST_BYTES_PER_CHAR = 120
ENTRY_OVERHEAD = 2_048


@dataclass(frozen=True)
class Limits:
    max_tokens: int = 5_000
    max_depth: int = 10
    max_aliases: int = 30


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


@dataclass
class _Measure:
    depth: int = 0
    aliases: int = 0


def measure(document: DocumentNode) -> dict[str, _Measure]:
    """Depth and alias count of each operation, fragments expanded, in linear time.

    A fragment's figures do not depend on where it is spread, so each is computed once;
    counts may grow exponentially with nesting, but they are just integers here.
    Depth counts fields with a selection set (leaves and `__introspection` count 0),
    like Strawberry's QueryDepthLimiter. Cyclic spreads count 0 (validation reports them).
    """
    fragments = {
        node.name.value: node
        for node in document.definitions
        if isinstance(node, FragmentDefinitionNode)
    }
    done: dict[str, _Measure] = {}
    visiting: set[str] = set()

    def of_fragment(name: str) -> _Measure:
        if name in done:
            return done[name]
        fragment = fragments.get(name)
        if fragment is None or name in visiting:
            return _Measure()
        visiting.add(name)
        done[name] = result = of_selections(fragment.selection_set)
        visiting.discard(name)
        return result

    def of_selections(selection_set: SelectionSetNode | None) -> _Measure:
        total = _Measure()
        if selection_set is None:
            return total
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                inner = of_selections(selection.selection_set)
                total.aliases += inner.aliases + (selection.alias is not None)
                if selection.selection_set and not selection.name.value.startswith("__"):
                    total.depth = max(total.depth, inner.depth + 1)
            elif isinstance(selection, InlineFragmentNode):
                inner = of_selections(selection.selection_set)
                total.aliases += inner.aliases
                total.depth = max(total.depth, inner.depth)
            elif isinstance(selection, FragmentSpreadNode):
                inner = of_fragment(selection.name.value)
                total.aliases += inner.aliases
                total.depth = max(total.depth, inner.depth)
        return total

    return {
        (node.name.value if node.name else "anonymous"): of_selections(node.selection_set)
        for node in document.definitions
        if isinstance(node, OperationDefinitionNode)
    }


def limit_errors(document: DocumentNode, limits: Limits) -> list[GraphQLError]:
    """The limits a document exceeds, one error each (no path: a validation failure)."""
    errors: list[GraphQLError] = []
    for name, found in measure(document).items():
        if found.depth > limits.max_depth:
            errors.append(
                GraphQLError(f"'{name}' exceeds maximum operation depth of {limits.max_depth}")
            )
        if found.aliases > limits.max_aliases:
            errors.append(
                GraphQLError(f"{found.aliases} aliases found. Allowed: {limits.max_aliases}")
            )
    return errors


class DocumentGate(SchemaExtension):
    """Strawberry extension: serve parse and validation results from `cache`."""

    def __init__(self, cache: DocumentCache, limits: Limits) -> None:
        self.cache = cache
        self.limits = limits
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
            errors = validate_document(
                context.schema._schema, parsed.document, context.validation_rules
            )
        checked = Checked(parsed.document, tuple(errors), parsed.size)
        self.cache.put(query, checked)
        return checked
