"""Importing an existing loan portfolio: a file of running loans, each booked as migrated with its repayments to
date (issue #5). ``columns``, ``parsing`` and ``history`` are pure; ``checks`` decides rows against the database;
``services`` uploads and starts; ``job`` runs in the background; ``errors_file`` writes the per-row errors.
"""
