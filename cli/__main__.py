"""`python -m cli`: the `orders` command."""

from cli import main

raise SystemExit(main())
