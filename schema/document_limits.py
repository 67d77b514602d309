"""The limits of a GraphQL document, measured once per distinct document in linear time.

Every figure counts fragments expanded, as integers: each definition's own selections are
walked once (iteratively), then each fragment's figures, which do not depend on where it
is spread, are combined once in dependency order. So a "fragment bomb" (each of 300
fragments spreading the next one twice) costs as much as its text, and a chain of 3,000
spreads cannot exhaust the stack.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
)

CAP = 10**15  # figures saturate here: far above any limit, and additions stay cheap


@dataclass(frozen=True)
class PageSize:
    """A paged field's `first`: its default, and the largest a request may ask for."""

    default: int
    largest: int


@dataclass(frozen=True)
class Limits:
    max_tokens: int = 5_000
    max_depth: int = 10
    max_aliases: int = 30
    max_spreads: int = 100
    max_fragment_nesting: int = 10
    max_cost: int = 10_000
    # Fields whose `first` multiplies the cost of what they select, by field name.
    page_sizes: Mapping[str, PageSize] = field(default_factory=dict)


@dataclass
class Figures:
    """One operation's (or fragment's) figures, fragments expanded.

    depth: fields with a selection set on the longest path (introspection counts 0);
    aliases: aliased fields; cost: fields, each times the `first` of every paged field
    around it; spreads: fragment spreads; nesting: fragments on the longest spread chain.
    """

    depth: int = 0
    aliases: int = 0
    cost: int = 0
    spreads: int = 0
    nesting: int = 0


@dataclass(frozen=True)
class _Spread:
    name: str
    depth: int | None  # fields around the spread; None inside introspection
    multiplier: int


@dataclass
class _Own:
    """A definition's own figures (spreads not followed) and the spreads it makes."""

    figures: Figures = field(default_factory=Figures)
    spreads: list[_Spread] = field(default_factory=list)


def measure(document: DocumentNode, limits: Limits | None = None) -> dict[str, Figures]:
    """The figures of each operation, by name ("anonymous" for the unnamed one)."""
    page_sizes = {} if limits is None else limits.page_sizes
    own: dict[str, _Own] = {}
    operations: dict[str, _Own] = {}
    for node in document.definitions:
        if isinstance(node, FragmentDefinitionNode):
            own.setdefault(node.name.value, _walk(node.selection_set, page_sizes))
        elif isinstance(node, OperationDefinitionNode):
            name = node.name.value if node.name else "anonymous"
            operations[name] = _walk(node.selection_set, page_sizes)
    fragments = _fragment_figures(own)
    return {name: _combine(found, fragments) for name, found in operations.items()}


def _walk(root: SelectionSetNode, page_sizes: Mapping[str, PageSize]) -> _Own:
    """One pass over a definition's selections, with an explicit stack."""
    found = _Own()
    figures = found.figures
    stack: list[tuple[SelectionSetNode, int, int, bool]] = [(root, 0, 1, False)]
    while stack:
        selection_set, depth, multiplier, introspection = stack.pop()
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                figures.cost = min(CAP, figures.cost + multiplier)
                figures.aliases += selection.alias is not None
                if selection.selection_set is None:
                    continue
                inner = introspection or selection.name.value.startswith("__")
                if inner:  # introspection: no depth, and its lists are no pages
                    stack.append((selection.selection_set, depth, multiplier, True))
                    continue
                figures.depth = max(figures.depth, depth + 1)
                paged = min(CAP, multiplier * _page(selection, page_sizes))
                stack.append((selection.selection_set, depth + 1, paged, False))
            elif isinstance(selection, InlineFragmentNode):
                stack.append((selection.selection_set, depth, multiplier, introspection))
            elif isinstance(selection, FragmentSpreadNode):
                figures.spreads += 1
                where = None if introspection else depth
                found.spreads.append(_Spread(selection.name.value, where, multiplier))
    return found


def _page(node: FieldNode, page_sizes: Mapping[str, PageSize]) -> int:
    """How many items a paged field returns at most: its `first`, default or largest."""
    size = page_sizes.get(node.name.value)
    if size is None:
        return 1
    for argument in node.arguments or ():
        if argument.name.value != "first":
            continue
        if isinstance(argument.value, IntValueNode):
            # Clipped: a `first` out of range is the resolver's BAD_USER_INPUT to report.
            return max(1, min(size.largest, int(argument.value.value)))
        if isinstance(argument.value, VariableNode):
            return size.largest  # one cached verdict must hold for every value
    return size.default


def _fragment_figures(own: Mapping[str, _Own]) -> dict[str, Figures]:
    """Each fragment's figures, spreads followed, in dependency order (iterative DFS).

    A spread of an unknown fragment, or one closing a cycle, counts 0: validation
    reports those.
    """
    done: dict[str, Figures] = {}
    for root in own:
        if root in done:
            continue
        stack: list[tuple[str, Iterator[_Spread]]] = [(root, iter(own[root].spreads))]
        open_names = {root}
        while stack:
            name, pending = stack[-1]
            for spread in pending:  # resumes where this fragment's last visit stopped
                child = spread.name
                if child in own and child not in done and child not in open_names:
                    stack.append((child, iter(own[child].spreads)))
                    open_names.add(child)
                    break
            else:
                stack.pop()
                open_names.discard(name)
                done[name] = _combine(own[name], done)
    return done


def _combine(found: _Own, fragments: Mapping[str, Figures]) -> Figures:
    total = replace(found.figures)
    for spread in found.spreads:
        inner = fragments.get(spread.name)
        if inner is None:
            continue
        if spread.depth is not None:
            total.depth = max(total.depth, spread.depth + inner.depth)
        total.aliases = min(CAP, total.aliases + inner.aliases)
        total.cost = min(CAP, total.cost + spread.multiplier * inner.cost)
        total.spreads = min(CAP, total.spreads + inner.spreads)
        total.nesting = max(total.nesting, inner.nesting + 1)
    return total


def limit_errors(document: DocumentNode, limits: Limits) -> list[GraphQLError]:
    """The limits a document exceeds, one error each (no path: a validation failure)."""
    errors: list[GraphQLError] = []
    for name, found in measure(document, limits).items():
        for message, setting in _exceeded(name, found, limits):
            errors.append(GraphQLError(message, extensions={"limit": setting}))
    return errors


def _exceeded(name: str, found: Figures, limits: Limits) -> Iterator[tuple[str, str]]:
    if found.depth > limits.max_depth:
        yield f"'{name}' exceeds maximum operation depth of {limits.max_depth}", "QUERY_MAX_DEPTH"
    if found.aliases > limits.max_aliases:
        yield (
            f"{_n(found.aliases)} aliases found. Allowed: {limits.max_aliases}",
            "QUERY_MAX_ALIASES",
        )
    if found.spreads > limits.max_spreads:
        yield (
            f"'{name}' spreads fragments {_n(found.spreads)} times once expanded; "
            f"at most {limits.max_spreads} are allowed",
            "QUERY_MAX_SPREADS",
        )
    if found.nesting > limits.max_fragment_nesting:
        yield (
            f"'{name}' nests fragments {_n(found.nesting)} deep; "
            f"at most {limits.max_fragment_nesting} are allowed",
            "QUERY_MAX_FRAGMENT_NESTING",
        )
    if found.cost > limits.max_cost:
        yield (
            f"'{name}' costs {_n(found.cost)} (each field 1, times the `first` of each "
            f"paged field around it); at most {limits.max_cost:,} is allowed",
            "QUERY_MAX_COST",
        )


def _n(value: int) -> str:
    return f"more than {CAP:,}" if value >= CAP else f"{value:,}"
