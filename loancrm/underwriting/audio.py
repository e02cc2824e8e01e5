"""Call recordings: what an uploaded audio file is (from its bytes) and a short generated WAV. Pure: no Django."""

from __future__ import annotations

import io
import math
import struct
import wave

MAX_BYTES = 20 * 1024 * 1024
WAV, MP3, M4A, OGG, AMR = "audio/wav", "audio/mpeg", "audio/mp4", "audio/ogg", "audio/amr"
EXTENSIONS = {WAV: ".wav", MP3: ".mp3", M4A: ".m4a", OGG: ".ogg", AMR: ".amr"}


def sniff_audio(data: bytes) -> str | None:
    """The audio type the leading bytes announce (WAV, MP3, M4A/AAC, Ogg, AMR), or None."""
    head = data[:16]
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return WAV
    if head[:3] == b"ID3" or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0):
        return MP3
    if head[4:8] == b"ftyp":
        return M4A
    if head[:4] == b"OggS":
        return OGG
    if head[:6] == b"#!AMR\n":
        return AMR
    return None


def tone_wav(*, seconds: float = 1.0, frequency: float = 440.0, rate: int = 8000) -> bytes:
    """A mono 16-bit PCM WAV of a sine tone (the telephony simulator's "recording")."""
    frames = int(seconds * rate)
    samples = b"".join(
        struct.pack("<h", int(12000 * math.sin(2 * math.pi * frequency * n / rate))) for n in range(frames)
    )
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(samples)
    return buffer.getvalue()
