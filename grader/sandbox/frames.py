"""Framing between grader and child: length-prefixed JSON frames with raw array bytes after them, and the
check of every frame a child sends. The values inside are the codec's (channel.py)."""
from __future__ import annotations

import json
import mmap
import os
import select
import struct
import time
from typing import Any

from grader.errors import ChannelError
from grader.sandbox.channel import MAX_FRAME, decode, dumps, loads
from grader.sanitise import clean_text

MAX_BLOBS = 10_000  # arrays sent as raw bytes after one frame's JSON
HEADER = struct.Struct(">I")
READ_BYTES = 1 << 20  # most bytes taken from the pipe at once


def _framed(message: dict) -> bytes:
    payload = dumps(message)
    return HEADER.pack(len(payload)) + payload


def write_all(fd: int, pieces: list, timeout: float | None = None) -> None:
    """Write ``pieces`` (bytes-like) to ``fd`` in order, in as few system calls as the pipe allows.

    On a non-blocking descriptor, waits up to ``timeout`` seconds in all for the reader, then
    raises TimeoutError (a reader that stopped reading must not stall the writer).
    """
    views = [memoryview(p).cast("B") for p in pieces if len(p)]
    deadline = None if timeout is None else time.monotonic() + timeout
    while views:
        try:
            written = os.writev(fd, views[:1024])  # IOV_MAX
        except BlockingIOError:
            remaining = None if deadline is None else deadline - time.monotonic()
            if remaining is not None and (remaining <= 0 or not select.select([], [fd], [], remaining)[1]):
                raise TimeoutError("the reader stopped reading") from None
            if remaining is None:
                select.select([], [fd], [])
            continue
        while written:
            if written >= len(views[0]):
                written -= len(views[0])
                views.pop(0)
            else:
                views[0] = views[0][written:]
                written = 0


def write_frame(fd: int, message: dict, blobs: list | None = None, then: dict | None = None) -> None:
    """Write one length-prefixed JSON message to a file descriptor, then the raw ``blobs`` it refers to.

    ``then``, a message without blobs, follows in the same write: a case's result and the start of
    the next case reach the grader together (one wake-up instead of two).
    """
    if blobs:
        message = {**message, "__blobs__": [len(b) for b in blobs]}
    write_all(fd, [_framed(message), *(blobs or ()), *([_framed(then)] if then is not None else [])])


def job_pieces(request: dict) -> list:
    """A job as the child reads it, in pieces to write in order: one frame whose arrays' inline bytes
    (``inline_bytes``) follow its JSON."""
    blobs: list[bytes] = []

    def blob(value: Any) -> int:
        if not isinstance(value, bytes):
            raise TypeError(f"{type(value).__name__} is not plain data")
        blobs.append(value)
        return len(blobs) - 1

    body = json.dumps(request, allow_nan=True, separators=(",", ":"), default=blob)
    payload = f'{{"__blobs__":{json.dumps([len(b) for b in blobs])},"request":{body}}}'.encode("utf-8")
    return [HEADER.pack(len(payload)), payload, *blobs]


def job_bytes(request: dict) -> bytes:
    """:func:`job_pieces` joined."""
    return b"".join(job_pieces(request))


def read_job(data: Any) -> tuple[dict, list]:
    """The request and its blobs from :func:`job_pieces`' form (the child reading its own job).

    ``data`` may be a memory map of the job: the blobs are then views into it, which decoding copies once.
    """
    view = memoryview(data)
    if len(view) < HEADER.size:
        raise ChannelError("truncated job")
    (length,) = HEADER.unpack_from(view)
    if HEADER.size + length > len(view):
        raise ChannelError("truncated job")
    message = loads(bytes(view[HEADER.size:HEADER.size + length]))
    sizes = _blob_sizes(message, len(view)) or []
    blobs, offset = [], HEADER.size + length
    for n in sizes:
        blobs.append(view[offset:offset + n])
        offset += n
    if offset != len(view) or not isinstance(message, dict) or "request" not in message:
        raise ChannelError("malformed job")
    return message["request"], blobs


def map_job(fd: int, most: int = MAX_FRAME) -> Any:
    """The job memfd's bytes, mapped read-only (an empty job maps to b""); ChannelError above ``most`` bytes."""
    size = os.fstat(fd).st_size
    if size > most:
        raise ChannelError("job too large")
    return mmap.mmap(fd, size, access=mmap.ACCESS_READ) if size else b""


class Framed(dict):
    """A frame whose arrays' bytes came after its JSON: the message, plus ``blobs`` for :func:`decode`."""

    def __init__(self, message: dict, blobs: list) -> None:
        super().__init__(message)
        self.blobs = blobs


def _blob_sizes(message: Any, most: int = MAX_FRAME) -> list[int] | None:
    """The sizes of the raw blobs announced by a frame (taken out of it), or None when it has none."""
    if not isinstance(message, dict) or "__blobs__" not in message:
        return None
    sizes = message.pop("__blobs__")
    if (not isinstance(sizes, list) or len(sizes) > MAX_BLOBS
            or not all(isinstance(n, int) and not isinstance(n, bool) and 0 <= n <= MAX_FRAME for n in sizes)
            or sum(sizes) > most):
        raise ChannelError("malformed list of array bytes")
    return sizes


class FrameReader:
    """Accumulates bytes and yields complete frames; oversize or malformed frames are ChannelErrors.

    A frame's array bytes land in a buffer of their own (a ``bytearray`` per array, allocated when its
    first byte arrives), read straight from the pipe by :meth:`read_from`; decoding then keeps that
    buffer as the array's memory instead of copying it again. ``limit`` bounds everything announced
    and received, so an announcement alone cannot make the grader allocate more.
    """

    def __init__(self, limit: int = MAX_FRAME) -> None:
        self.buffer = bytearray()  # bytes not yet parsed (headers, JSON)
        self.limit = limit
        self.total = 0  # bytes received and announced so far
        self._pending: tuple[dict, list[int], list[bytearray]] | None = None  # a frame waiting for its blobs
        self._filled = 0  # bytes of the blob being filled

    def feed(self, data: bytes) -> list[Any]:
        self.buffer.extend(data)
        return self._parse()

    def read_from(self, fd: int) -> tuple[int, list[Any]]:
        """One read from ``fd``: (bytes read, 0 at the end; the frames it completed)."""
        if self._pending is not None and not self.buffer:
            blob = self._current_blob()
            if blob is not None:
                n = os.readv(fd, [memoryview(blob)[self._filled:self._filled + READ_BYTES]])
                if n == 0:
                    return 0, []
                self._filled += n
                return n, self._parse()
        chunk = os.read(fd, READ_BYTES)
        return len(chunk), self.feed(chunk) if chunk else []

    def _current_blob(self) -> bytearray | None:
        """The buffer of the first blob still short of its size (allocated now if need be), or None."""
        _message, sizes, blobs = self._pending
        while len(blobs) < len(sizes) and (not blobs or self._filled == len(blobs[-1])):
            blobs.append(bytearray(sizes[len(blobs)]))
            self._filled = 0
        if blobs and self._filled < len(blobs[-1]):
            return blobs[-1]
        return None

    def _parse(self) -> list[Any]:
        frames = []
        while True:
            if self._pending is None:
                if len(self.buffer) < HEADER.size:
                    break
                (length,) = HEADER.unpack_from(self.buffer)
                if length > MAX_FRAME or self.total + length > self.limit:
                    raise ChannelError(f"message of {length} bytes is too large")
                if len(self.buffer) < HEADER.size + length:
                    break
                payload = bytes(memoryview(self.buffer)[HEADER.size:HEADER.size + length])
                del self.buffer[:HEADER.size + length]
                self.total += HEADER.size + length
                message = loads(payload)
                sizes = _blob_sizes(message, self.limit - self.total)
                if sizes is None:
                    frames.append(message)
                    continue
                self.total += sum(sizes)
                self._pending, self._filled = (message, sizes, []), 0
            message, sizes, blobs = self._pending
            while (blob := self._current_blob()) is not None and self.buffer:
                take = min(len(blob) - self._filled, len(self.buffer))
                blob[self._filled:self._filled + take] = memoryview(self.buffer)[:take]
                del self.buffer[:take]
                self._filled += take
            if self._current_blob() is not None or len(blobs) < len(sizes):
                break
            self._pending = None
            frames.append(Framed(message, blobs))
        return frames


# -- what a child may send, checked field by field on the trusted side ---------------------------
MAX_MUTATIONS = 20
MAX_TRACEBACK = 8


def _text(frame: dict, key: str, limit: int, *, required: bool = True, newlines: bool = True) -> str:
    if key not in frame:
        if required:
            raise ChannelError(f"{frame.get('event')!s:.20} message without {key!r}")
        return ""
    value = frame[key]
    if not isinstance(value, str):
        raise ChannelError(f"{key!r} must be text, got {type(value).__name__}")
    return clean_text(value, limit, newlines=newlines)


def _count(frame: dict, key: str) -> int:
    value = frame.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 1 << 40:
        raise ChannelError(f"{key!r} must be a byte offset")
    return value


def _mutation(item: Any, blobs: list) -> dict:
    if not isinstance(item, dict) or not {"function", "argument"} <= set(item) or not set(item) <= MUTATION_KEYS:
        raise ChannelError("malformed mutation record")
    record = {k: _text(item, k, 200, newlines=False) for k in ("function", "argument", "where") if k in item}
    for key in ("before", "after"):
        if key in item:
            record[key] = decode(item[key], blobs=blobs)
    return record


MUTATION_KEYS = {"function", "argument", "where", "before", "after"}
FRAME_KEYS = {
    "imported": ({"event"}, set()),
    "idle": ({"event"}, set()),  # a kept child finished its run and waits for a follow-up
    "import_error": ({"event", "error_type", "message", "traceback"}, set()),
    "setup_error": ({"event", "message"}, set()),
    "start": ({"event", "case", "printed_at"}, set()),
    "done": ({"event", "case", "seconds", "mutations", "status"},
             {"printed_to", "value", "error_type", "message", "traceback", "inputs"}),
}


def checked_frame(frame: Any) -> dict:
    """A child's message with every field type-checked and every text sanitised; ChannelError otherwise.

    Values (``value``, ``inputs``, mutation snapshots) are decoded here too, so what leaves this
    function is plain, validated data and clean text: nothing later can be surprised by a type.
    """
    if not isinstance(frame, dict):
        raise ChannelError("a message must be an object")
    blobs = frame.blobs if isinstance(frame, Framed) else []
    event = frame.get("event")
    if not isinstance(event, str) or event not in FRAME_KEYS:
        raise ChannelError(f"unknown message {clean_text(event, 40)!r}")
    required, optional = FRAME_KEYS[event]
    keys = set(frame)
    if not required <= keys or not keys <= required | optional:
        raise ChannelError(f"malformed {event!r} message (fields {sorted(map(str, keys))[:12]})")
    out: dict = {"event": event}
    if event in ("import_error", "done") and ("traceback" in frame):
        trace = frame["traceback"]
        if not isinstance(trace, list) or not all(isinstance(t, str) for t in trace):
            raise ChannelError("'traceback' must be a list of text")
        out["traceback"] = [clean_text(t, 300) for t in trace[-MAX_TRACEBACK:]]
    if event == "import_error":
        out.update(error_type=_text(frame, "error_type", 80, newlines=False), message=_text(frame, "message", 500))
    elif event == "setup_error":
        out["message"] = _text(frame, "message", 500)
    elif event == "start":
        out.update(case=_text(frame, "case", 200, newlines=False), printed_at=_count(frame, "printed_at"))
        if out["case"] != frame["case"]:
            raise ChannelError("case names are plain text")
    elif event == "done":
        out["case"] = _text(frame, "case", 200, newlines=False)
        if out["case"] != frame["case"]:
            raise ChannelError("case names are plain text")
        seconds = frame["seconds"]
        if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or not 0 <= seconds < 1e7:
            raise ChannelError("'seconds' must be a number")
        out["seconds"] = float(seconds)
        if "printed_to" in frame:
            out["printed_to"] = _count(frame, "printed_to")
        mutations = frame["mutations"]
        if not isinstance(mutations, list) or len(mutations) > MAX_MUTATIONS:
            raise ChannelError("'mutations' must be a list of at most 20 records")
        out["mutations"] = [_mutation(m, blobs) for m in mutations]
        status = frame["status"]
        if status == "ok":
            if "value" not in frame or {"error_type", "message"} & keys:
                raise ChannelError("malformed 'done' message")
            try:
                out["value"] = decode(frame["value"], blobs=blobs)
            except ChannelError as exc:  # well framed but not plain data: costs the case, like any wrong output
                status = "error"
                out.update(error_type="OutputError", message=clean_text(f"the output is not plain data: {exc}", 500))
        elif status == "error":
            if "value" in frame:
                raise ChannelError("malformed 'done' message")
            out.update(error_type=_text(frame, "error_type", 80, newlines=False),
                       message=_text(frame, "message", 500, required=False))
        else:
            raise ChannelError("'status' must be 'ok' or 'error'")
        out["status"] = status
        if "inputs" in frame:
            inputs = decode(frame["inputs"], blobs=blobs)
            if not (isinstance(inputs, list) and len(inputs) == 2 and isinstance(inputs[0], list)
                    and isinstance(inputs[1], dict)):
                raise ChannelError("'inputs' must be [args, kwargs]")
            out["inputs"] = inputs
    return out
