"""`python -m benchmarks [--quick] ...`: the same as `orders bench`."""

from __future__ import annotations

import argparse

from benchmarks.command import run
from benchmarks.config import add_arguments


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=run.__doc__)
    add_arguments(parser)
    return run(parser.parse_args())


if __name__ == "__main__":
    raise SystemExit(main())
