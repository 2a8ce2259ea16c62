"""Plain-data codec and framing between grader and child: JSON plus raw array bytes, never pickle."""
from __future__ import annotations

import base64
import json
import math
import os
import struct
from typing import Any

import numpy as np

from grader.errors import ChannelError
from grader.sandbox.sameness import settle
from grader.sanitise import clean_text

# dtypes that may cross the channel: no object, string, void, datetime, or big-endian data.
ALLOWED_DTYPES = {
    "|b1", "|i1", "<i2", "<i4", "<i8", "|u1", "<u2", "<u4", "<u8",
    "<f2", "<f4", "<f8", "<c8", "<c16",
}
MAX_ELEMENTS = 50_000_000  # per message, all arrays together
MAX_DEPTH = 40
MAX_ITEMS = 1_000_000
MAX_STRING = 1_000_000
MAX_FRAME = 512 * 1024 * 1024
MAX_BLOBS = 10_000  # arrays sent as raw bytes after one frame's JSON
BLOB_BYTES = 4096  # arrays at least this large travel as raw bytes when the sender collects blobs
HEADER = struct.Struct(">I")


def _dtype_code(dtype: np.dtype) -> str:
    code = dtype.newbyteorder("<").str if dtype.byteorder == ">" else dtype.str
    if code not in ALLOWED_DTYPES:
        raise ChannelError(f"arrays of dtype {dtype} are not allowed")
    return code


def encode(value: Any, *, readable: bool = False, blobs: list | None = None, inline_bytes: bool = False,
           _depth: int = 0) -> Any:
    """Turn plain data into JSON-able data. ``readable`` stores arrays as nested lists (fixtures).

    With a ``blobs`` list, the bytes of large arrays are appended to it and the array refers to
    them by index (``write_frame`` sends them after the JSON), instead of growing the JSON by a
    third more in base64 that both sides would have to encode, scan and decode. ``inline_bytes``
    keeps those bytes in place (a ``bytes`` value under "blob"), for :func:`job_bytes` to move out.

    Unsupported objects become ``{"__unsupported__": type name}`` so the grader can say what was
    returned instead of failing to send it.
    """
    if _depth > MAX_DEPTH:
        raise ChannelError("value nested too deeply")
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return value
    if isinstance(value, np.ndarray):
        arr = np.asarray(value, order="C")  # a plain, C-ordered ndarray (ascontiguousarray makes 0-d arrays 1-d)
        code = _dtype_code(arr.dtype)
        if arr.dtype.byteorder == ">":
            arr = arr.astype(arr.dtype.newbyteorder("<"))
        body: dict[str, Any] = {"dtype": code, "shape": list(arr.shape)}
        if readable:
            if arr.dtype.kind == "c":
                body["values"] = [[z.real, z.imag] for z in arr.reshape(-1).tolist()]
            else:
                body["values"] = arr.tolist()
        elif inline_bytes and arr.nbytes >= BLOB_BYTES:
            body["blob"] = arr.tobytes()
        elif blobs is not None and arr.nbytes >= BLOB_BYTES:
            body["blob"] = len(blobs)
            blobs.append(arr.tobytes())
        else:
            body["b64"] = base64.b64encode(arr.tobytes()).decode("ascii")
        return {"__ndarray__": body}
    if isinstance(value, np.generic):
        code = _dtype_code(value.dtype)
        item = value.item()
        if isinstance(item, complex):
            item = [item.real, item.imag]
        return {"__scalar__": {"dtype": code, "value": item}}
    if isinstance(value, tuple):
        return {"__tuple__": [encode(v, readable=readable, blobs=blobs, inline_bytes=inline_bytes, _depth=_depth + 1) for v in value]}
    if isinstance(value, list):
        return [encode(v, readable=readable, blobs=blobs, inline_bytes=inline_bytes, _depth=_depth + 1) for v in value]
    if isinstance(value, dict):
        if not all(isinstance(k, str) for k in value):
            return {"__unsupported__": "dict with non-string keys"}
        return {"__dict__": {k: encode(v, readable=readable, blobs=blobs, inline_bytes=inline_bytes, _depth=_depth + 1)
                             for k, v in value.items()}}
    return {"__unsupported__": type(value).__name__}


def copy_plain(value: Any, _depth: int = 0) -> Any:
    """Exactly what ``decode(encode(value))`` gives, without the trip through JSON and base64.

    Used in the trusted grading process to normalise the reference's and the mistakes' outputs and
    to hand out fresh copies of inputs: the same types a child's output arrives as, at a fraction
    of the cost.
    """
    if _depth > MAX_DEPTH:
        raise ChannelError("value nested too deeply")
    if value is None or type(value) in (bool, str, int, float):
        return value
    if isinstance(value, (bool, str)):
        return bool(value) if isinstance(value, bool) else str(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, np.ndarray):
        code = _dtype_code(value.dtype)
        return np.array(value, dtype=np.dtype(code), order="C", copy=True, subok=False)
    if isinstance(value, np.generic):
        return np.array(value, dtype=np.dtype(_dtype_code(value.dtype)))[()]
    if isinstance(value, tuple):
        return settle(tuple(copy_plain(v, _depth + 1) for v in value))
    if isinstance(value, list):
        return [copy_plain(v, _depth + 1) for v in value]
    if isinstance(value, dict):
        if not all(isinstance(k, str) for k in value):
            return {"__unsupported__": "dict with non-string keys"}
        return {str(k): copy_plain(v, _depth + 1) for k, v in value.items()}
    return {"__unsupported__": type(value).__name__}


class _Budget:
    def __init__(self) -> None:
        self.elements = 0

    def take(self, n: int) -> None:
        self.elements += n
        if self.elements > MAX_ELEMENTS:
            raise ChannelError(f"more than {MAX_ELEMENTS} array elements")


def decode(data: Any, _depth: int = 0, _budget: _Budget | None = None, blobs: tuple | list = ()) -> Any:
    """Rebuild plain data from :func:`encode`'s form, validating everything.

    ``blobs`` are the raw byte strings that came after the frame's JSON (see :class:`Framed`).

    Arrays come back as fresh base-class ``np.ndarray`` objects of a whitelisted dtype, so no
    subclass, ``__eq__`` override or object array can reach a comparison.
    """
    budget = _budget or _Budget()
    if _depth > MAX_DEPTH:
        raise ChannelError("value nested too deeply")
    if data is None or isinstance(data, bool):
        return data
    if isinstance(data, int):
        return data
    if isinstance(data, float):
        return data
    if isinstance(data, str):
        if len(data) > MAX_STRING:
            raise ChannelError("string too long")
        return data
    if isinstance(data, list):
        if len(data) > MAX_ITEMS:
            raise ChannelError("list too long")
        budget.take(len(data))
        return [decode(v, _depth + 1, budget, blobs) for v in data]
    if not isinstance(data, dict) or len(data) != 1:
        raise ChannelError(f"malformed value: {str(data)[:80]}")
    (tag, body), = data.items()
    if tag == "__ndarray__":
        return _decode_array(body, budget, blobs)
    if tag == "__scalar__":
        if not isinstance(body, dict) or set(body) != {"dtype", "value"}:
            raise ChannelError("malformed scalar")
        dtype = _checked_dtype(body["dtype"])
        value = body["value"]
        if dtype.kind == "c":
            if not (isinstance(value, list) and len(value) == 2 and all(isinstance(v, (int, float)) for v in value)):
                raise ChannelError("malformed complex scalar")
            value = complex(*value)
        if not isinstance(value, (int, float, bool, complex)):
            raise ChannelError("malformed scalar value")
        try:
            return np.array(value, dtype=dtype)[()]
        except (OverflowError, ValueError, TypeError) as exc:  # e.g. 300 as uint8
            raise ChannelError(f"malformed scalar value: {str(exc)[:80]}") from exc
    if tag == "__tuple__":
        if not isinstance(body, list):
            raise ChannelError("malformed tuple")
        return settle(tuple(decode(body, _depth + 1, budget, blobs)))  # a driver's "unchanged?" is decided here
    if tag == "__dict__":
        if not isinstance(body, dict):
            raise ChannelError("malformed dict")
        budget.take(len(body))
        return {str(k): decode(v, _depth + 1, budget, blobs) for k, v in body.items()}
    if tag == "__unsupported__":
        return {"__unsupported__": str(body)[:100]}
    raise ChannelError(f"unknown tag {tag[:40]!r}")


def _checked_dtype(code: Any) -> np.dtype:
    if not isinstance(code, str) or code not in ALLOWED_DTYPES:
        raise ChannelError(f"dtype {str(code)[:20]!r} is not allowed")
    return np.dtype(code)


def _decode_array(body: Any, budget: _Budget, blobs: tuple | list = ()) -> np.ndarray:
    if not isinstance(body, dict) or "dtype" not in body or "shape" not in body:
        raise ChannelError("malformed array")
    dtype = _checked_dtype(body["dtype"])
    shape = body["shape"]
    if not isinstance(shape, list) or len(shape) > 32 or not all(isinstance(s, int) and not isinstance(s, bool) and s >= 0 for s in shape):
        raise ChannelError("malformed array shape")
    size = math.prod(shape)
    budget.take(size)
    if "b64" in body or "blob" in body:
        if "b64" in body:
            try:
                raw = base64.b64decode(body["b64"], validate=True)
            except (ValueError, TypeError) as exc:
                raise ChannelError("malformed array bytes") from exc
        else:
            index = body["blob"]
            if isinstance(index, bytes):  # encoded with inline_bytes, decoded in process (never from JSON)
                raw = index
            elif isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < len(blobs):
                raise ChannelError("malformed array bytes")
            else:
                raw = blobs[index]
        if len(raw) != size * dtype.itemsize:
            raise ChannelError("array bytes do not match its shape")
        try:
            return np.frombuffer(raw, dtype=dtype).reshape(shape).copy()
        except ValueError as exc:  # e.g. a dimension numpy cannot hold next to a 0
            raise ChannelError(f"malformed array shape: {str(exc)[:80]}") from exc
    if "values" in body:
        values = body["values"]
        try:
            if dtype.kind == "c":
                flat = np.array([complex(re, im) for re, im in values], dtype=dtype)
                arr = flat.reshape(shape)
            else:
                arr = np.array(values, dtype=dtype).reshape(shape)
        except (ValueError, TypeError, OverflowError) as exc:
            raise ChannelError(f"malformed array values: {str(exc)[:120]}") from exc
        return np.array(arr, order="C")  # a fresh array that owns its data (0-d stays 0-d)
    raise ChannelError("array without data")


def dumps(value: Any) -> bytes:
    """JSON bytes of already-encoded data (NaN and inf allowed: they are results too)."""
    return json.dumps(value, allow_nan=True, separators=(",", ":")).encode("utf-8")


def loads(raw: bytes) -> Any:
    """Parse JSON bytes; any parsing problem is a ChannelError."""
    try:
        return json.loads(raw.decode("utf-8"))
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise ChannelError(f"malformed message: {str(exc)[:120]}") from exc


def _framed(message: dict) -> bytes:
    payload = dumps(message)
    return HEADER.pack(len(payload)) + payload


def write_frame(fd: int, message: dict, blobs: list | None = None, then: dict | None = None) -> None:
    """Write one length-prefixed JSON message to a file descriptor, then the raw ``blobs`` it refers to.

    ``then``, a message without blobs, follows in the same write: a case's result and the start of
    the next case reach the grader together (one wake-up instead of two).
    """
    if blobs:
        message = {**message, "__blobs__": [len(b) for b in blobs]}
    pieces = [_framed(message), *(blobs or ())]
    if then is not None:
        pieces[-1] = pieces[-1] + _framed(then)
    for data in pieces:
        view = memoryview(data)
        while view:
            written = os.write(fd, view)
            view = view[written:]


def job_bytes(request: dict) -> bytes:
    """A job as the child reads it: one frame whose arrays' inline bytes (``inline_bytes``) follow its JSON."""
    blobs: list[bytes] = []

    def blob(value: Any) -> int:
        if not isinstance(value, bytes):
            raise TypeError(f"{type(value).__name__} is not plain data")
        blobs.append(value)
        return len(blobs) - 1

    body = json.dumps(request, allow_nan=True, separators=(",", ":"), default=blob)
    payload = f'{{"__blobs__":{json.dumps([len(b) for b in blobs])},"request":{body}}}'.encode("utf-8")
    return b"".join([HEADER.pack(len(payload)), payload, *blobs])


def read_job(data: bytes) -> tuple[dict, list[bytes]]:
    """The request and its blobs from :func:`job_bytes`' form (the child reading its own job)."""
    (frame,) = FrameReader().feed(data)
    return frame["request"], getattr(frame, "blobs", [])


class Framed(dict):
    """A frame whose arrays' bytes came after its JSON: the message, plus ``blobs`` for :func:`decode`."""

    def __init__(self, message: dict, blobs: list[bytes]) -> None:
        super().__init__(message)
        self.blobs = blobs


def _blob_sizes(message: Any) -> list[int] | None:
    """The sizes of the raw blobs announced by a frame (taken out of it), or None when it has none."""
    if not isinstance(message, dict) or "__blobs__" not in message:
        return None
    sizes = message.pop("__blobs__")
    if (not isinstance(sizes, list) or len(sizes) > MAX_BLOBS
            or not all(isinstance(n, int) and not isinstance(n, bool) and 0 <= n <= MAX_FRAME for n in sizes)
            or sum(sizes) > MAX_FRAME):
        raise ChannelError("malformed list of array bytes")
    return sizes


class FrameReader:
    """Accumulates bytes and yields complete frames; oversize or malformed frames are ChannelErrors."""

    def __init__(self) -> None:
        self.buffer = bytearray()
        self._pending: tuple[dict, list[int]] | None = None  # a frame waiting for its blobs

    def feed(self, data: bytes) -> list[Any]:
        self.buffer.extend(data)
        frames = []
        while True:
            if self._pending is None:
                if len(self.buffer) < HEADER.size:
                    break
                (length,) = HEADER.unpack_from(self.buffer)
                if length > MAX_FRAME:
                    raise ChannelError(f"message of {length} bytes is too large")
                if len(self.buffer) < HEADER.size + length:
                    break
                payload = bytes(self.buffer[HEADER.size:HEADER.size + length])
                del self.buffer[:HEADER.size + length]
                message = loads(payload)
                sizes = _blob_sizes(message)
                if sizes is None:
                    frames.append(message)
                    continue
                self._pending = (message, sizes)
            message, sizes = self._pending
            if len(self.buffer) < sum(sizes):
                break
            blobs, offset = [], 0
            for n in sizes:
                blobs.append(bytes(self.buffer[offset:offset + n]))
                offset += n
            del self.buffer[:offset]
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
