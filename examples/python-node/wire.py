"""The Brainer wire protocol, version 1 (docs/PROTOCOL.md sections 1.2, 2 and 3): one message is
one ZeroMQ frame, little-endian, no padding. Only the messages a node sends or receives are here."""

import json
import math
import struct

VERSION = 1

# Message types (PROTOCOL.md 3.1).
REQUEST, REPLY, REGISTER, WELCOME, HEARTBEAT, HEARTBEAT_ACK = range(1, 7)
ACK, ERROR, UNREGISTER, CAUGHT_UP, JOIN_FAILED = 8, 9, 10, 11, 12
SNAPSHOT_REQUEST, SNAPSHOT_BEGIN, SNAPSHOT_END, SNAPSHOT_CREDIT = 13, 14, 16, 17
MEMBERSHIP = 18  # broker -> client only
RESUME, CATCH_UP = 19, 20
# `writes` and `snapshot-chunk` carry the sender's clock reading (`sentAt`) beside their expiries (5.11).
WRITES, SNAPSHOT_CHUNK = 21, 22
# 7 and 15, their retired codes from when an expiry travelled as a wall-clock time, are unknown types.
RETIRED_TYPES = frozenset((7, 15))
KNOWN_TYPES = frozenset(range(1, 23)) - RETIRED_TYPES

# Ops inside a request (3.3).
OP_NAMES = {1: "ping", 2: "get", 3: "set", 4: "del", 5: "keys", 6: "nodes", 7: "stats", 8: "recent", 9: "expiries", 10: "watch", 13: "scan",
            14: "ttl", 15: "expire", 16: "flushall"}

# Reply tags (3.4).
TAG_NONE, TAG_NIL, TAG_BYTES, TAG_NUMBER, TAG_STRINGS, TAG_JSON, TAG_ERROR = range(7)

# Write kinds and node states (2).
KIND_SET, KIND_DEL, KIND_EXPIRE, KIND_FLUSH = 1, 2, 3, 4
KIND_NAMES = {KIND_SET: "set", KIND_DEL: "del", KIND_EXPIRE: "expire", KIND_FLUSH: "flush"}
STATE_JOINING, STATE_READY = 0, 1

MAX_SAFE_INTEGER = 2**53 - 1

_U32 = struct.Struct("<I")
_F64 = struct.Struct("<d")


class DecodeError(Exception):
    """A frame that cannot be read. `op_ids` are the ids of the request ops read before the failure."""

    def __init__(self, code, message, op_ids=()):
        super().__init__(message)
        self.code = code
        self.op_ids = list(op_ids)


class Reader:
    def __init__(self, frame):
        self.buf = memoryview(frame)
        self.pos = 0

    def _take(self, n):
        if self.pos + n > len(self.buf):
            raise DecodeError("ERR_MALFORMED", f"frame truncated at byte {self.pos}")
        start = self.pos
        self.pos += n
        return start

    def u8(self):
        return self.buf[self._take(1)]

    def u32(self):
        return _U32.unpack_from(self.buf, self._take(4))[0]

    def f64(self):
        return _F64.unpack_from(self.buf, self._take(8))[0]

    def finite(self, name):
        """A plain f64 that must be finite: `sentAt` and `expiresAt` of `writes` and `snapshot-chunk` (2)."""
        value = self.f64()
        if not math.isfinite(value):
            raise DecodeError("ERR_MALFORMED", f"{name} must be finite, not {value}")
        return value

    def count(self):
        value = self.f64()
        if not (value == value and 0 <= value <= MAX_SAFE_INTEGER and value == int(value)):
            raise DecodeError("ERR_MALFORMED", f"{value} is not a non-negative safe integer")
        return int(value)

    def bytes(self):
        n = self.u32()
        start = self._take(n)
        return bytes(self.buf[start : start + n])

    def string(self):
        raw = self.bytes()
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError as error:
            raise DecodeError("ERR_BAD_KEY", f"a string is not valid UTF-8: {error.reason}") from None

    def array_count(self, min_element_size):
        n = self.u32()
        if n * min_element_size > len(self.buf) - self.pos:
            raise DecodeError("ERR_MALFORMED", f"an array of {n} elements cannot fit in the frame")
        return n

    def done(self):
        if self.pos != len(self.buf):
            raise DecodeError("ERR_MALFORMED", f"{len(self.buf) - self.pos} bytes left over after the body")


class Writer:
    def __init__(self, message_type):
        self.parts = [bytes((VERSION, message_type))]

    def u8(self, value):
        self.parts.append(bytes((value,)))
        return self

    def u32(self, value):
        self.parts.append(_U32.pack(value))
        return self

    def f64(self, value):
        self.parts.append(_F64.pack(value))
        return self

    def bytes(self, value):
        self.parts.append(_U32.pack(len(value)))
        self.parts.append(value)
        return self

    def string(self, value):
        return self.bytes(value.encode("utf-8"))

    def frame(self):
        return b"".join(self.parts)


# ---- decoding ----------------------------------------------------------------------------------


def decode(frame):
    """Returns (type, body dict). Raises DecodeError with the code to answer (4.1, 4.2)."""
    if len(frame) < 2:
        raise DecodeError("ERR_MALFORMED", "a frame is at least 2 bytes")
    if frame[0] != VERSION:
        raise DecodeError("ERR_BAD_VERSION", f"protocol version {frame[0]} is not 1")
    message_type = frame[1]
    if message_type not in KNOWN_TYPES:
        raise DecodeError("ERR_UNKNOWN_MESSAGE", f"unknown message type {message_type}")
    reader = Reader(frame)
    reader.pos = 2
    body_reader = _BODY_READERS.get(message_type)
    # Types a node never receives are only named, so that the caller can refuse them by type.
    body = body_reader(reader) if body_reader else {}
    if body_reader:
        reader.done()
    return message_type, body


def _read_request(r):
    ops = []
    op_ids = []
    try:
        for _ in range(r.array_count(5)):
            op_id = r.u32()
            op_ids.append(op_id)
            code = r.u8()
            name = OP_NAMES.get(code)
            if name is None:
                raise DecodeError("ERR_UNKNOWN_OP", f"unknown op code {code}")
            op = {"id": op_id, "op": name}
            if name in ("get", "set", "del", "ttl", "expire"):
                op["key"] = r.string()
            if name == "set":
                op["value"] = r.bytes()
                ttl = r.f64()
                if not (ttl == ttl and 0 <= ttl <= MAX_SAFE_INTEGER and ttl == int(ttl)):
                    raise DecodeError("ERR_BAD_REQUEST", "ttlMs must be a non-negative safe integer")
                op["ttlMs"] = int(ttl)
            if name == "expire":
                ttl = r.f64()
                if not (ttl == ttl and abs(ttl) <= MAX_SAFE_INTEGER and ttl == int(ttl)):
                    raise DecodeError("ERR_BAD_REQUEST", "ttl must be a whole number of ms")
                op["ttlMs"] = int(ttl)
            if name in ("set", "del", "expire", "flushall"):
                wait = r.u8()
                if wait not in (0, 1):
                    raise DecodeError("ERR_BAD_REQUEST", f"unknown wait mode {wait}")
                op["wait"] = "all" if wait == 0 else "primary"
            if name in ("keys", "scan"):
                op["pattern"] = r.string()
            if name == "scan":
                op["after"] = r.string()
                op["count"] = r.u32()
            ops.append(op)
        r.done()
    except DecodeError as error:
        error.op_ids = op_ids
        raise
    return {"ops": ops}


def _read_welcome(r):
    return {
        "epoch": r.count(),
        "state": _state(r.u8()),
        "seq": r.count(),
        "reset": r.u8() == 1,
        "joinId": r.u32(),
        "sourceId": r.string(),
        "sourceEndpoint": r.string(),
        "heartbeatMs": r.u32(),
        "leaseMs": r.u32(),
        "limits": _read_limits(r),
    }


def _read_heartbeat_ack(r):
    return {"sentAt": r.f64(), "epoch": r.count(), "leaseMs": r.u32(), "brokerAt": r.finite("brokerAt")}


def _read_writes(r):
    """The expiries stay on the broker's clock here: the replica moves them onto the node's own on receipt (5.11)."""
    epoch, first_seq, sent_at = r.count(), r.count(), r.finite("sentAt")
    writes = []
    # The smallest write is a flush with no origin: a kind byte and an origin flag.
    for _ in range(r.array_count(2)):
        kind = r.u8()
        if kind not in KIND_NAMES:
            raise DecodeError("ERR_MALFORMED", f"unknown write kind {kind}")
        write = {"kind": kind, "key": "" if kind == KIND_FLUSH else r.string(), "value": None, "expiresAt": 0.0, "origin": None}
        if kind == KIND_SET:
            write["value"] = r.bytes()
        if kind in (KIND_SET, KIND_EXPIRE):
            write["expiresAt"] = r.finite("expiresAt")
        has_origin = r.u8()
        if has_origin == 1:
            write["origin"] = (r.string(), r.u32())
        elif has_origin != 0:
            raise DecodeError("ERR_MALFORMED", f"bad origin flag {has_origin}")
        writes.append(write)
    return {"epoch": epoch, "firstSeq": first_seq, "sentAt": sent_at, "writes": writes}


def _read_error(r):
    return {"code": r.string(), "message": r.string()}


def _read_snapshot_request(r):
    return {"joinId": r.u32(), "minSeq": r.count(), "credit": r.u32()}


def _read_snapshot_begin(r):
    return {"joinId": r.u32(), "seq": r.count(), "totalKeys": r.count()}


def _read_snapshot_chunk(r):
    """The expiries stay on the source's clock here, read at `sentAt`: the joiner moves them onto its own (5.11)."""
    join_id, sent_at = r.u32(), r.finite("sentAt")
    entries = [(r.string(), r.bytes(), r.count(), r.finite("expiresAt")) for _ in range(r.array_count(24))]
    return {"joinId": join_id, "sentAt": sent_at, "entries": entries}


def _read_snapshot_end(r):
    return {"joinId": r.u32(), "count": r.count()}


def _read_catch_up(r):
    return {"epoch": r.count(), "fromSeq": r.count(), "seq": r.count(), "joinId": r.u32(),
            "heartbeatMs": r.u32(), "leaseMs": r.u32(), "limits": _read_limits(r)}


def _read_limits(r):
    """The cluster's size limits, the broker's (5.16): the node holds direct requests to them."""
    return {"maxKeyBytes": r.u32(), "maxValueBytes": r.u32(), "maxBatchOps": r.u32(), "maxFrameBytes": r.u32()}


def _read_snapshot_credit(r):
    return {"joinId": r.u32(), "credit": r.u32()}


def _state(value):
    if value not in (STATE_JOINING, STATE_READY):
        raise DecodeError("ERR_MALFORMED", f"unknown node state {value}")
    return "ready" if value == STATE_READY else "joining"


_BODY_READERS = {
    REQUEST: _read_request,
    WELCOME: _read_welcome,
    HEARTBEAT_ACK: _read_heartbeat_ack,
    WRITES: _read_writes,
    ERROR: _read_error,
    SNAPSHOT_REQUEST: _read_snapshot_request,
    SNAPSHOT_BEGIN: _read_snapshot_begin,
    SNAPSHOT_CHUNK: _read_snapshot_chunk,
    SNAPSHOT_END: _read_snapshot_end,
    SNAPSHOT_CREDIT: _read_snapshot_credit,
    CATCH_UP: _read_catch_up,
}


# ---- encoding ----------------------------------------------------------------------------------


def reply(replies):
    """`replies` is a list of (id, tag, payload): payload None, bytes, a number, a list of str,
    a JSON-able value, or (code, message) for TAG_ERROR."""
    w = Writer(REPLY).u32(len(replies))
    for op_id, tag, payload in replies:
        w.u32(op_id).u8(tag)
        if tag == TAG_BYTES:
            w.bytes(payload)
        elif tag == TAG_NUMBER:
            w.f64(payload)
        elif tag == TAG_STRINGS:
            w.u32(len(payload))
            for item in payload:
                w.string(item)
        elif tag == TAG_JSON:
            w.string(json.dumps(payload, separators=(",", ":")))
        elif tag == TAG_ERROR:
            w.string(payload[0]).string(payload[1])
    return w.frame()


def register(node_id, incarnation, endpoint, epoch, seq, keys, digest, resume=False):
    """`register`, or with `resume` its twin from a node whose store is whole (the broker lets only those seed an epoch).
    `incarnation` is chosen once per process start: the broker tells a restart from a second process by it (5.15)."""
    kind = RESUME if resume else REGISTER
    w = Writer(kind).string(node_id).string(endpoint).f64(epoch).f64(seq).f64(keys).string(digest)
    return w.string(incarnation).frame()


def heartbeat(node_id, sent_at, epoch, seq, keys, digest, ready, received, total):
    w = Writer(HEARTBEAT).string(node_id).f64(sent_at).f64(epoch).f64(seq).f64(keys).string(digest)
    return w.u8(STATE_READY if ready else STATE_JOINING).f64(received).f64(total).frame()


def ack(epoch, seq, removed):
    w = Writer(ACK).f64(epoch).f64(seq).u32(len(removed))
    for s in removed:
        w.f64(s)
    return w.frame()


def error(code, message):
    return Writer(ERROR).string(code).string(message).frame()


def unregister(node_id):
    return Writer(UNREGISTER).string(node_id).frame()


def caught_up(join_id, seq):
    return Writer(CAUGHT_UP).u32(join_id).f64(seq).frame()


def join_failed(join_id, reason):
    return Writer(JOIN_FAILED).u32(join_id).string(reason).frame()


def snapshot_request(join_id, min_seq, credit):
    return Writer(SNAPSHOT_REQUEST).u32(join_id).f64(min_seq).u32(credit).frame()


def snapshot_credit(join_id, credit):
    return Writer(SNAPSHOT_CREDIT).u32(join_id).u32(credit).frame()


def snapshot_begin(join_id, seq, total_keys):
    return Writer(SNAPSHOT_BEGIN).u32(join_id).f64(seq).f64(total_keys).frame()


def snapshot_chunk(join_id, sent_at, entries):
    """`entries`: (key, value, seq, expiresAt) tuples, their expiries on the clock that read `sent_at` now."""
    w = Writer(SNAPSHOT_CHUNK).u32(join_id).f64(sent_at).u32(len(entries))
    for key, value, seq, expires_at in entries:
        w.string(key).bytes(value).f64(seq).f64(expires_at)
    return w.frame()


def snapshot_end(join_id, count):
    return Writer(SNAPSHOT_END).u32(join_id).f64(count).frame()
