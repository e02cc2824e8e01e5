"""Offline OCR of PRC resident ID cards (第二代居民身份证), issue #7 item 4. No models, no database.

Entry point for the document task: ``service.recognise_id_card(front, back, entered_name=..., entered_id_number=...,
today=..., threshold=0.90)`` → ``IdCardResult`` (``as_dict()`` is the JSON to store, encrypted: it holds the
card's personal data). ``errors.UnreadableImage`` (a ``DomainError``, code ``ocr_unreadable_image``) for bytes that
are not an image. ``messages.finding_message(code, params, field)`` renders a finding for people.

Modules: ``engine`` (the process-wide rapidocr instance: lazy, thread-safe, calls serialised), ``lines`` (OCR
output as data, rows), ``idcard`` (pure parser, side detection), ``checks`` (pure checks → findings,
``needs_review``), ``service`` (OCR + parse + checks), ``messages`` (zh-Hans/en texts), ``cards`` (synthetic card
images for tests and the demo: ``render_front(...)`` / ``render_back(...)`` → PNG bytes).
"""
