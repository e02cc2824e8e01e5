"""The reader process of a large import: reads the file and prepares chunks while the importing process writes.

Why a process: reading the sheet, cleaning, digesting and encrypting a row costs about as much CPU as writing it, and
a thread shares the interpreter lock with the writer (tried: no gain on two cores); a second process runs them on
the other core.

Invariants: the process is spawned (a fresh interpreter: no inherited database connection, no lock held by another
thread of the worker) and reads no database; it sends chunks in file order through a queue at most ``AHEAD`` chunks
ahead; its first message is a fingerprint of its field and blind-index keys, and the parent refuses every chunk of a
process whose keys differ from its own (rows encrypted or digested under other keys never reach the database); an
error in the process is raised in the parent, as is its death; leaving the ``with`` block stops the process,
whatever happened, and the process stops by itself when the parent is gone.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import queue
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from multiprocessing.process import BaseProcess

    from loancrm.imports.source import Chunk, Source

AHEAD = 2
POLL_SECONDS = 1.0
STALL_SECONDS = 300.0  # a chunk takes well under a second to prepare
GC_THRESHOLD = 20_000  # allocations between young-generation collections (CPython's default: 700)


class ReaderFailed(Exception):
    """The reader process failed, died or does not share this process's keys."""


def key_fingerprint() -> str:
    """A digest of the active field key and the blind-index key (identifies the keys without revealing them)."""
    from loancrm.core.crypto import key_ring

    ring = key_ring()
    material = b"\0".join([ring.active.encode(), ring.keys[ring.active], ring.blind_index_key])
    return hashlib.sha256(material).hexdigest()


def _send(messages: Any, message: tuple[str, Any]) -> None:
    parent = multiprocessing.parent_process()
    while True:
        try:
            messages.put(message, timeout=POLL_SECONDS)
            return
        except queue.Full:
            if parent is not None and not parent.is_alive():
                raise SystemExit(0) from None


def _read(source: Source, skip: int, size: int, today: Any, language: str | None, messages: Any) -> None:
    """The reader process: set Django up, then send the key fingerprint, the chunks and an end (or the error).

    It ignores SIGINT and SIGTERM, which reach the whole process group: the worker decides whether the import
    finishes (its first signal lets the current task end) and stops this process itself. It allocates many short-lived
    containers and builds no cycles to speak of, so the cyclic collector runs 30 times less often than by default
    (measured: a seventh of its CPU time went to collections) and skips what Django set up."""
    import gc
    import signal

    import django

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)

    django.setup()
    gc.freeze()
    gc.set_threshold(GC_THRESHOLD)
    from django.utils import translation

    if language:
        translation.activate(language)
    try:
        _send(messages, ("keys", key_fingerprint()))
        for chunk in source.chunks(skip, size, today):
            _send(messages, ("chunk", chunk))
    except Exception as exc:
        _send(messages, ("error", f"{type(exc).__name__}: {exc}"))
    else:
        _send(messages, ("end", None))


def _received(process: BaseProcess, messages: Any) -> Iterator[Chunk]:
    keys_checked, waited = False, 0.0
    while True:
        try:
            kind, payload = messages.get(timeout=POLL_SECONDS)
        except queue.Empty:
            waited += POLL_SECONDS
            if not process.is_alive():
                raise ReaderFailed(f"the reader process exited (code {process.exitcode})") from None
            if waited >= STALL_SECONDS:
                raise ReaderFailed(f"the reader process sent nothing for {STALL_SECONDS:.0f} s") from None
            continue
        waited = 0.0
        if kind == "error":
            raise ReaderFailed(payload)
        if kind == "keys":
            if payload != key_fingerprint():
                raise ReaderFailed("the reader process does not use this process's encryption keys")
            keys_checked = True
        elif not keys_checked:
            raise ReaderFailed("the reader process sent rows before its keys")
        elif kind == "chunk":
            yield payload
        else:
            return


@contextmanager
def prefetched(source: Source, skip: int, size: int, today: Any, language: str | None) -> Iterator[Iterator[Chunk]]:
    """The prepared chunks of ``source`` after its first ``skip`` data rows, read by a reader process."""
    context = multiprocessing.get_context("spawn")
    messages = context.Queue(maxsize=AHEAD)
    process = context.Process(
        target=_read, args=(source, skip, size, today, language, messages), name="loancrm-import-reader", daemon=True
    )
    process.start()
    try:
        yield _received(process, messages)
    finally:
        if process.is_alive():
            process.kill()
        process.join()
        messages.close()
