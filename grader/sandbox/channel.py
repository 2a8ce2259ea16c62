"""Plain-data codec between grader and child: JSON plus raw array bytes, never pickle (framing: frames.py)."""
from __future__ import annotations

import base64
import json
import math
from typing import Any

import numpy as np

from grader.errors import ChannelError
from grader.sandbox.sameness import settle

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
BLOB_BYTES = 4096  # arrays at least this large travel as raw bytes when the sender collects blobs


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
        owned = False  # raw is a buffer read for this array alone, which the array may keep
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
                if raw is None:
                    raise ChannelError("array bytes used twice")
                if isinstance(raw, bytearray) and isinstance(blobs, list):
                    blobs[index] = None  # the array takes this buffer over: no second array may share it
                    owned = True
        if len(raw) != size * dtype.itemsize:
            raise ChannelError("array bytes do not match its shape")
        try:
            arr = np.frombuffer(raw, dtype=dtype).reshape(shape)
        except ValueError as exc:  # e.g. a dimension numpy cannot hold next to a 0
            raise ChannelError(f"malformed array shape: {str(exc)[:80]}") from exc
        return arr if owned else arr.copy()  # FrameReader's buffers become the arrays' memory; the rest is copied
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
