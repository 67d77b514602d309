"""Documents that probe the limits: a fragment bomb, a spread chain, the README's search."""

from __future__ import annotations


def fragment_bomb(levels: int) -> str:
    """Each fragment spreads the next one twice: 2**levels fields once expanded."""
    fragments = [
        f"fragment F{i} on Order {{ a{i}: id ...F{i + 1} ...F{i + 1} }}" for i in range(levels)
    ]
    fragments.append(f"fragment F{levels} on Order {{ id }}")
    return '{ order(id: "x") { ...F0 } } ' + " ".join(fragments)


def spread_chain(length: int) -> str:
    """`length` fragments, each spreading the next once; the last selects `id`."""
    fragments = [f"fragment C{i} on Order {{ ...C{i + 1} }}" for i in range(length)]
    fragments.append(f"fragment C{length} on Order {{ id }}")
    return '{ order(id: "x") { ...C0 } } ' + " ".join(fragments)


README_SEARCH = """
query Find($token: String!) {
  orders(search: "marta kowalsky",
         filter: {status: [PLACED, PAID], country: "PL"},
         sort: [{field: PLACED_AT, direction: DESC}], first: 20,
         consistency: {atLeast: $token}) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { cursor node { id status total currency customer { name } }
            highlights { field fragments } }
    facets { status { value count } country { value count } category { value count }
             placedMonth { value count } totalRange { value count } }
  }
}"""
