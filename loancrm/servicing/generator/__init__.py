"""Synthetic portfolios for demos and benchmarks (``manage.py generate_portfolio``).

``model`` simulates each loan's history in pure Python (the schedule maths, the waterfall order and the penalty
maths of the services); ``writer`` persists whole chunks set-based (COPY on PostgreSQL, multi-row inserts on
SQLite). The state written is the one the services and a daily end-of-day run would have left as the business date
opens, with the runs' history: bucket changes and month-end snapshots.
"""
