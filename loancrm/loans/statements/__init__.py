"""Bank statement files: read a collections statement (.csv / .xlsx), match its lines to loans, post the matched
ones set-based (``poster``) and keep a reconciliation report per file.

Modules: ``columns`` and ``parsing`` (pure: header detection, cell parsing), ``reader`` (file → parsed lines),
``poster`` (one chunk, set-based, equal to ``payment_post`` per line), ``loading`` (its locked read of the loans and
the schedule rows the chunk can reach), ``fen`` (pure: one repayment in whole fen), ``bulk_sql`` (the PostgreSQL /
SQLite statements it uses), ``services`` (upload, start, the background run), ``jobs``, ``selectors``, ``reasons``,
``exports``.
"""
