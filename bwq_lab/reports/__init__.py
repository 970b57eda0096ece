"""The programme's figures, defined once (read-side use cases: no Flask, no edges).

- ``scope``: which rows a reader may count (``Scope``, ``scope_for``);
- ``figures``: every figure for a period, in total and per group (``summary``);
- ``goals``: the year's targets and the month-by-month progress toward them.
"""
