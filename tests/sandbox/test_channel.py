"""grader.sandbox.channel and frames: plain data in, plain data out; anything else a child sends is a ChannelError."""
from __future__ import annotations

import base64
import json
import math
import os
import threading

import numpy as np
import pytest

from grader.errors import ChannelError
from grader.sandbox import channel, frames
from grader.sandbox.channel import ALLOWED_DTYPES, decode, dumps, encode, loads
from grader.sandbox.frames import FrameReader, write_frame


def through_the_wire(value, *, readable=False):
    """Encode, serialise to JSON bytes, parse and decode, as between child and parent."""
    return decode(loads(dumps(encode(value, readable=readable))))


def assert_same_array(got, expected):
    assert type(got) is np.ndarray
    assert got.dtype == expected.dtype
    assert got.shape == expected.shape
    assert got.tobytes() == expected.tobytes()  # bit for bit: NaN payloads, -0.0, float16 rounding


def sample(dtype: np.dtype) -> np.ndarray:
    """A 2x3 array of ``dtype`` with awkward values (negatives, extremes, fractions, NaN/inf)."""
    if dtype.kind == "b":
        return np.array([[True, False, True], [False, False, True]])
    if dtype.kind in "iu":
        info = np.iinfo(dtype)
        return np.array([[info.min, info.max, 0], [1, info.max - 1, 7]], dtype=dtype)
    values = np.array([[-0.0, 1 / 3, np.nan], [np.inf, -np.inf, 1e-3]])
    out = np.empty(values.shape, dtype=dtype)
    if dtype.kind == "c":  # set the parts directly: complex arithmetic on inf makes NaNs of either sign
        out.real, out.imag = values, values[::-1]
    else:
        out[...] = values
    return out


ALL_DTYPES = sorted(ALLOWED_DTYPES)


@pytest.mark.parametrize("readable", [False, True], ids=["binary", "readable"])
@pytest.mark.parametrize("code", ALL_DTYPES)
def test_every_allowed_dtype_round_trips_exactly(code, readable):
    original = sample(np.dtype(code))
    assert_same_array(through_the_wire(original, readable=readable), original)


@pytest.mark.parametrize("readable", [False, True], ids=["binary", "readable"])
@pytest.mark.parametrize("original", [np.array(2.5), np.array(7, dtype=np.int32), np.array(True), np.array(1 - 2j)],
                         ids=["f8", "i4", "bool", "c16"])
def test_zero_dimensional_arrays_stay_zero_dimensional(original, readable):
    assert_same_array(through_the_wire(original, readable=readable), original)


@pytest.mark.parametrize("readable", [False, True], ids=["binary", "readable"])
@pytest.mark.parametrize("shape", [(0,), (3, 0), (0, 2, 5)])
def test_empty_arrays_keep_their_shape(shape, readable):
    original = np.zeros(shape, dtype=np.float32)
    assert_same_array(through_the_wire(original, readable=readable), original)


def test_readable_form_is_nested_lists_that_round_trip_float64_exactly():
    original = np.random.default_rng(0).standard_normal((3, 2)) * 10.0 ** np.arange(-150, 150, 50).reshape(3, 2)
    encoded = encode(original, readable=True)
    values = encoded["__ndarray__"]["values"]
    assert isinstance(values, list) and isinstance(values[0], list) and isinstance(values[0][0], float)
    assert_same_array(decode(json.loads(json.dumps(encoded))), original)


def test_big_endian_arrays_arrive_as_little_endian_with_the_same_values():
    original = np.array([1.5, -2.25, 1e300], dtype=">f8")
    got = through_the_wire(original)
    assert got.dtype == np.dtype("<f8")
    assert np.array_equal(got, original)


def test_non_contiguous_arrays_round_trip():
    original = np.arange(12.0).reshape(3, 4)[:, ::2].T
    got = through_the_wire(original)
    assert np.array_equal(got, original) and got.shape == (2, 3)


@pytest.mark.parametrize("scalar", [np.float32(1 / 3), np.float16(-0.0), np.int8(-128), np.int64(-(2**63)),
                                    np.uint64(2**64 - 1), np.bool_(False), np.complex128(1.5 - 2j), np.complex64(np.inf)])
def test_numpy_scalars_come_back_as_numpy_scalars_of_the_same_dtype(scalar):
    got = through_the_wire(scalar)
    assert type(got) is type(scalar)
    assert np.array(got).tobytes() == np.array(scalar).tobytes()


@pytest.mark.parametrize("scalar", [np.float64(0.1), np.float64(np.nan), np.float64(-np.inf)])
def test_a_float64_scalar_comes_back_as_the_same_float64_value(scalar):
    # np.float64 is a Python float: it travels as a JSON number and comes back as a float (still float64)
    got = through_the_wire(scalar)
    assert isinstance(got, float)
    assert np.array(got).tobytes() == np.array(scalar).tobytes()


def test_python_values_round_trip_with_their_types():
    original = [None, True, 0, -(2**70), 0.1, "héllo", float("nan"), float("inf"), -float("inf")]
    got = through_the_wire(original)
    assert [type(v) for v in got] == [type(v) for v in original]
    assert got[:6] == original[:6]
    assert math.isnan(got[6]) and got[7] == math.inf and got[8] == -math.inf


def test_tuples_and_lists_are_kept_apart():
    got = through_the_wire(([1, (2, 3)], [(4,), []], ()))
    assert got == ([1, (2, 3)], [(4,), []], ())
    assert type(got) is tuple and type(got[0]) is list and type(got[0][1]) is tuple and type(got[2]) is tuple


def test_nested_dicts_round_trip():
    original = {"grads": {"dW": np.ones((2, 2)), "db": (np.zeros(2), 3.0)}, "loss": np.float64(0.5), "": None}
    got = through_the_wire(original)
    assert set(got) == {"grads", "loss", ""}
    assert_same_array(got["grads"]["dW"], original["grads"]["dW"])
    assert type(got["grads"]["db"]) is tuple and got["grads"]["db"][1] == 3.0
    assert got["loss"] == np.float64(0.5)


def test_a_dict_that_looks_like_a_tag_is_still_a_dict():
    original = {"__ndarray__": "not an array"}
    assert through_the_wire(original) == original


# --- what decode gives back ----------------------------------------------------------------


def test_decoded_arrays_are_plain_writeable_and_own_their_data():
    for readable in (False, True):
        got = through_the_wire(np.arange(6.0).reshape(2, 3), readable=readable)
        assert type(got) is np.ndarray
        assert got.flags.writeable and got.flags.owndata and got.flags.c_contiguous
        got[0, 0] = 42.0  # no read-only buffer underneath


class _Sneaky(np.ndarray):
    def __eq__(self, other):  # a subclass that claims to equal everything
        return True


def test_an_ndarray_subclass_arrives_as_a_plain_ndarray():
    sneaky = np.arange(3.0).view(_Sneaky)
    got = through_the_wire(sneaky)
    assert type(got) is np.ndarray
    assert not np.all(got == np.zeros(3))
    assert type(through_the_wire(np.ma.masked_array([1.0, 2.0], mask=[0, 1]))) is np.ndarray


@pytest.mark.parametrize("value, name", [
    ((x for x in []), "generator"), (object(), "object"), ({1, 2}, "set"), (print, "builtin_function_or_method"),
    ({1: "a"}, "dict with non-string keys"),
])
def test_unsupported_objects_are_encoded_by_name(value, name):
    assert encode(value) == {"__unsupported__": name}
    assert through_the_wire([value]) == [{"__unsupported__": name}]


@pytest.mark.parametrize("array", [np.array([object()]), np.array(["a", "b"]), np.array([1], dtype="datetime64[s]")],
                         ids=["object", "str", "datetime"])
def test_encoding_an_array_of_a_forbidden_dtype_is_a_channel_error(array):
    with pytest.raises(ChannelError):
        encode(array)


# --- what decode rejects -------------------------------------------------------------------


def array_message(dtype: str = "<f8", shape=(2,), raw: bytes | None = None, **extra) -> dict:
    size = math.prod(shape)
    raw = np.zeros(size, dtype=np.dtype(dtype) if dtype in ALLOWED_DTYPES else np.float64).tobytes() if raw is None else raw
    body = {"dtype": dtype, "shape": list(shape), "b64": base64.b64encode(raw).decode()}
    body.update(extra)
    return {"__ndarray__": body}


@pytest.mark.parametrize("message", [
    array_message("|O"), array_message("<U1"), array_message(">f8"), array_message("|V8"), array_message("<M8[s]"),
    array_message(7), {"__scalar__": {"dtype": "|O", "value": 1}}, {"__scalar__": {"dtype": ">i4", "value": 1}},
], ids=["object", "unicode", "big-endian", "void", "datetime", "non-string", "scalar-object", "scalar-big-endian"])
def test_forbidden_dtype_codes_are_rejected(message):
    with pytest.raises(ChannelError, match="not allowed"):
        decode(message)


@pytest.mark.parametrize("message", [
    array_message(shape=(2,), raw=np.zeros(3).tobytes()),
    array_message(shape=(2, 2), raw=np.zeros(2).tobytes()),
    array_message(shape=(1,), raw=b"\x00" * 7),
], ids=["too-many-bytes", "too-few-bytes", "partial-item"])
def test_bytes_that_do_not_match_the_shape_are_rejected(message):
    with pytest.raises(ChannelError, match="do not match"):
        decode(message)


@pytest.mark.parametrize("shape", [[-1], [2.0], ["2"], [True], [None], "2", 2, [1] * 33],
                         ids=["negative", "float", "string", "bool", "none", "not-a-list", "int", "too-many-dims"])
def test_malformed_shapes_are_rejected(shape):
    with pytest.raises(ChannelError, match="shape"):
        decode({"__ndarray__": {"dtype": "<f8", "shape": shape, "b64": ""}})


@pytest.mark.parametrize("message", [
    {"__ndarray__": {"dtype": "<f8", "shape": [0, 10**30], "b64": ""}},
    {"__ndarray__": {"dtype": "|u1", "shape": [1], "values": [300]}},
    {"__ndarray__": {"dtype": "<f8", "shape": [2], "values": [1.0, "x"]}},
    {"__ndarray__": {"dtype": "<f8", "shape": [3], "values": [1.0, 2.0]}},
    {"__ndarray__": {"dtype": "<c16", "shape": [1], "values": [[1.0]]}},
    {"__ndarray__": {"dtype": "<f8", "shape": [1], "b64": "not base64!"}},
    {"__ndarray__": {"dtype": "<f8", "shape": [1]}},
    {"__ndarray__": ["<f8", [1]]},
    {"__scalar__": {"dtype": "<i8", "value": 10**30}},
    {"__scalar__": {"dtype": "|u1", "value": -1}},
    {"__scalar__": {"dtype": "<f8", "value": "1.5"}},
    {"__scalar__": {"dtype": "<f8", "value": [1.5]}},
    {"__scalar__": {"dtype": "<c16", "value": ["a", 1]}},
    {"__scalar__": {"dtype": "<c16", "value": 1.5}},
    {"__scalar__": {"dtype": "<f8"}},
    {"__scalar__": {"dtype": "<f8", "value": 1.0, "extra": 1}},
    {"__tuple__": {"a": 1}},
    {"__dict__": [1, 2]},
    {"__ndarray__": {}, "__tuple__": []},
    {},
    {"__pickle__": "gASVAAAAAA=="},
], ids=["huge-dim-beside-zero", "value-overflow", "value-string", "values-vs-shape", "complex-pair", "bad-base64",
        "no-data", "array-body-not-dict", "scalar-overflow", "scalar-negative-unsigned", "scalar-string",
        "scalar-list", "complex-parts-not-numbers", "complex-not-a-pair", "scalar-no-value", "scalar-extra-key",
        "tuple-not-list", "dict-not-dict", "two-tags", "empty-dict", "unknown-tag"])
def test_malformed_values_are_channel_errors_never_other_exceptions(message):
    with pytest.raises(ChannelError):
        decode(message)


def test_over_deep_nesting_is_rejected():
    value = 1.0
    for _ in range(channel.MAX_DEPTH + 2):
        value = [value]
    with pytest.raises(ChannelError, match="deep"):
        decode(value)
    with pytest.raises(ChannelError, match="deep"):
        encode(value)


def test_nesting_within_the_limit_is_accepted():
    value = 1.0
    for _ in range(channel.MAX_DEPTH - 1):
        value = [value]
    assert decode(value) == value


def test_too_many_elements_are_rejected(monkeypatch):
    monkeypatch.setattr(channel, "MAX_ELEMENTS", 10)
    assert decode(encode(np.zeros(10))).size == 10
    with pytest.raises(ChannelError, match="more than 10"):
        decode(encode(np.zeros(11)))
    with pytest.raises(ChannelError, match="more than 10"):  # the budget is per message, all arrays together
        decode(encode([np.zeros(4), np.zeros(4), np.zeros(4)]))


def test_too_many_elements_are_rejected_before_the_bytes_are_read(monkeypatch):
    monkeypatch.setattr(channel, "MAX_ELEMENTS", 10)
    with pytest.raises(ChannelError, match="more than 10"):
        decode({"__ndarray__": {"dtype": "<f8", "shape": [10**9, 10**9], "b64": ""}})


def test_too_long_strings_and_lists_are_rejected(monkeypatch):
    monkeypatch.setattr(channel, "MAX_STRING", 5)
    monkeypatch.setattr(channel, "MAX_ITEMS", 3)
    assert decode("abcde") == "abcde"
    with pytest.raises(ChannelError, match="string"):
        decode("abcdef")
    with pytest.raises(ChannelError, match="list"):
        decode([1, 2, 3, 4])


def test_unsupported_marker_is_passed_on_truncated():
    assert decode({"__unsupported__": "x" * 500}) == {"__unsupported__": "x" * 100}


def test_loads_of_garbage_is_a_channel_error():
    for raw in (b"{not json", b"\xff\xfe", b"[" * 100_000):
        with pytest.raises(ChannelError):
            loads(raw)


# --- framing ----------------------------------------------------------------------------------


def framed(message) -> bytes:
    payload = dumps(message)
    return frames.HEADER.pack(len(payload)) + payload


def test_frame_reader_splits_concatenated_frames_fed_byte_by_byte():
    messages = [{"event": "start", "case": "a"}, {"event": "done", "value": encode(np.arange(3.0))}, [], {"n": "ü"}]
    stream = b"".join(framed(m) for m in messages)
    reader = FrameReader()
    received = []
    for i in range(len(stream)):
        received.extend(reader.feed(stream[i:i + 1]))
    assert received == messages
    assert reader.buffer == bytearray()


def test_frame_reader_returns_every_frame_of_one_chunk():
    messages = [{"a": 1}, {"b": 2}, {"c": 3}]
    assert FrameReader().feed(b"".join(framed(m) for m in messages)) == messages


def test_frame_reader_keeps_an_incomplete_frame_for_later():
    data = framed({"a": 1})
    reader = FrameReader()
    assert reader.feed(data[:-1]) == []
    assert reader.feed(data[-1:]) == [{"a": 1}]


def test_frame_reader_rejects_an_oversize_length_header_before_reading_the_body():
    reader = FrameReader()
    with pytest.raises(ChannelError, match="too large"):
        reader.feed(frames.HEADER.pack(channel.MAX_FRAME + 1))


def test_frame_reader_rejects_a_frame_that_is_not_json():
    with pytest.raises(ChannelError):
        FrameReader().feed(frames.HEADER.pack(3) + b"{{{")


def test_write_frame_output_is_read_back_by_the_frame_reader(tmp_path):
    import os

    path = tmp_path / "frames"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT)
    try:
        write_frame(fd, {"event": "imported"})
        write_frame(fd, {"event": "done", "value": encode((1, np.float32(2.0)))})
    finally:
        os.close(fd)
    frames = FrameReader().feed(path.read_bytes())
    assert frames[0] == {"event": "imported"}
    assert decode(frames[1]["value"]) == (1, np.float32(2.0))


@pytest.mark.parametrize("value", [
    None, True, 3, -2.5, float("nan"), "text", np.float64(1.5), np.float32(2.5), np.int64(7), np.int8(-3),
    np.bool_(True), np.complex128(1 + 2j), np.arange(6, dtype=np.int32).reshape(2, 3), np.array(4.0),
    np.zeros((0, 3)), np.arange(5.0)[::2], np.arange(4.0).reshape(2, 2).T, np.array([1.0, 2.0], dtype=">f8"),
    (1, [2.0, (np.ones(2),)], {"k": np.int16(3)}), {"a": [], "b": ()}, {1: "x"}, object(), np.ma.masked_array([1.0]),
])
def test_copy_plain_is_exactly_a_round_trip(value):
    from grader.sandbox.channel import copy_plain

    def shape_of(v):  # type and dtype structure, with values
        if isinstance(v, np.ndarray):
            return ("ndarray", type(v), v.dtype.str, v.shape, v.tobytes(), v.flags.c_contiguous)
        if isinstance(v, np.generic):
            return ("generic", type(v), v.tobytes())
        if isinstance(v, (list, tuple)):
            return (type(v), [shape_of(x) for x in v])
        if isinstance(v, dict):
            return (dict, {k: shape_of(x) for k, x in v.items()})
        if isinstance(v, float) and v != v:
            return (float, "nan")
        return (type(v), v)

    assert shape_of(copy_plain(value)) == shape_of(decode(loads(dumps(encode(value)))))  # the real trip


def test_copy_plain_refuses_what_the_channel_refuses():
    from grader.sandbox.channel import copy_plain

    with pytest.raises(ChannelError):
        copy_plain(np.array(["a"]))


# --- large arrays as raw bytes after the frame's JSON -------------------------------------------


def _frames_written(tmp_path, *calls) -> bytes:
    import os

    path = tmp_path / "frames"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT)
    try:
        for message, blobs in calls:
            write_frame(fd, message, blobs)
    finally:
        os.close(fd)
    return path.read_bytes()


def test_large_arrays_travel_as_raw_blobs_and_come_back_equal_fed_in_pieces(tmp_path):
    big, small = np.arange(5000.0).reshape(50, 100), np.arange(3, dtype=np.int32)
    blobs: list = []
    value = encode({"big": big, "small": small, "pair": (big.T, 1.5)}, blobs=blobs)
    assert len(blobs) == 2 and "b64" in value["__dict__"]["small"]["__ndarray__"]  # small arrays stay inline
    stream = _frames_written(tmp_path, ({"event": "x", "value": value}, blobs), ({"event": "y"}, None))
    reader, frames = FrameReader(), []
    for i in range(0, len(stream), 997):
        frames.extend(reader.feed(stream[i:i + 997]))
    assert [f["event"] for f in frames] == ["x", "y"] and "__blobs__" not in frames[0]
    got = decode(frames[0]["value"], blobs=frames[0].blobs)
    assert np.array_equal(got["big"], big) and np.array_equal(got["pair"][0], big.T) and got["pair"][1] == 1.5
    assert got["big"].flags.writeable and type(got["big"]) is np.ndarray
    assert not np.shares_memory(got["big"], got["pair"][0])  # each array has its own buffer
    assert frames[0].blobs == [None, None]  # taken over by the arrays: nothing else holds them
    assert np.array_equal(got["small"], small) and reader.buffer == bytearray()


def test_a_frame_whose_arrays_share_one_blob_is_a_channel_error(tmp_path):
    a = np.linspace(0, 1, 1000)
    blobs: list = []
    value = encode(a, blobs=blobs)
    message = {"event": "x", "value": [value, value]}  # a forged frame: two arrays, one buffer
    (frame,) = FrameReader().feed(_frames_written(tmp_path, (message, blobs)))
    with pytest.raises(ChannelError, match="used twice"):
        decode(frame["value"], blobs=frame.blobs)


def test_blob_bytes_read_from_a_pipe_land_in_their_arrays_whatever_the_pieces(tmp_path):
    big = np.arange(300_000.0)  # 2.4 MB: more than one read, more than a pipe holds
    blobs: list = []
    stream = _frames_written(tmp_path, ({"event": "x", "value": encode(big, blobs=blobs)}, blobs), ({"event": "y"}, None))
    read_fd, write_fd = os.pipe()
    writer = threading.Thread(target=lambda: (os.write(write_fd, stream[:7]), os.write(write_fd, stream[7:]), os.close(write_fd)))
    writer.start()
    reader, got = FrameReader(), []
    while True:
        count, frames = reader.read_from(read_fd)
        got.extend(frames)
        if not count:
            break
    writer.join()
    os.close(read_fd)
    assert [f["event"] for f in got] == ["x", "y"]
    assert np.array_equal(decode(got[0]["value"], blobs=got[0].blobs), big)


def test_announced_blobs_beyond_the_readers_limit_are_refused_before_any_allocation():
    with pytest.raises(ChannelError, match="array bytes"):
        FrameReader(limit=1 << 20).feed(framed({"event": "done", "__blobs__": [1 << 20]}))


@pytest.mark.parametrize("sizes", ["nope", [-1], [True], [1.5], [channel.MAX_FRAME + 1], [0] * (frames.MAX_BLOBS + 1)])
def test_a_malformed_list_of_blob_sizes_is_a_channel_error(sizes):
    with pytest.raises(ChannelError, match="array bytes"):
        FrameReader().feed(framed({"event": "done", "__blobs__": sizes}))


@pytest.mark.parametrize("index", [1, -1, True, "0", None])
def test_an_array_naming_a_blob_that_is_not_there_is_rejected(index):
    body = {"__ndarray__": {"dtype": "<f8", "shape": [2], "blob": index}}
    with pytest.raises(ChannelError, match="array bytes"):
        decode(body, blobs=[b"\x00" * 16])


def test_a_blob_that_does_not_match_the_shape_is_rejected():
    with pytest.raises(ChannelError, match="do not match"):
        decode({"__ndarray__": {"dtype": "<f8", "shape": [3], "blob": 0}}, blobs=[b"\x00" * 16])


def test_a_checked_done_frame_decodes_its_value_inputs_and_mutations_from_blobs(tmp_path):
    from grader.sandbox.frames import checked_frame

    a = np.linspace(0, 1, 1000)
    blobs: list = []
    message = {"event": "done", "case": "c", "seconds": 0.1, "status": "ok", "value": encode(a, blobs=blobs),
               "inputs": encode([[a * 2], {}], blobs=blobs),
               "mutations": [{"function": "f", "argument": "x", "before": encode(a, blobs=blobs), "after": encode(-a, blobs=blobs)}]}
    (frame,) = FrameReader().feed(_frames_written(tmp_path, (message, blobs)))
    out = checked_frame(frame)
    assert np.array_equal(out["value"], a) and np.array_equal(out["inputs"][0][0], a * 2)
    assert np.array_equal(out["mutations"][0]["after"], -a)


def test_a_job_carries_its_large_inputs_as_raw_bytes_and_reads_back_the_same():
    from grader.sandbox.frames import job_bytes, read_job

    big = np.arange(2000, dtype=np.int64).reshape(40, 50)
    probe = {"call": "f", "args": encode([big, np.ones(2)], inline_bytes=True), "kwargs": encode({"k": big.T}, inline_bytes=True)}
    data = job_bytes({"job": {"cases": [{"name": "c", "probe": probe}]}, "limits": {"memory_mb": 1}})
    assert b"__blobs__" in data and big.tobytes() in data  # raw, not base64
    request, blobs = read_job(data)
    assert request["limits"] == {"memory_mb": 1} and len(blobs) == 2
    got = request["job"]["cases"][0]["probe"]
    args, kwargs = decode(got["args"], blobs=blobs), decode(got["kwargs"], blobs=blobs)
    assert np.array_equal(args[0], big) and np.array_equal(args[1], np.ones(2)) and np.array_equal(kwargs["k"], big.T)
    assert np.array_equal(decode(probe["args"])[0], big)  # decoded in process, the bytes still inline
