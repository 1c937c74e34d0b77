"""Answers the ops of a `request` (PROTOCOL.md 3.3, 5.6, 5.10): reads forwarded by the broker, and
direct reads from clients on the node's own endpoint."""

import heapq

import wire
from glob_pattern import BadPattern, compile_glob

# Until the broker's welcome gives the cluster's limits (5.16).
DEFAULT_MAX_BATCH_OPS = 100_000
DEFAULT_MAX_KEY_BYTES = 65_536


class Answers:
    """`stats()` gives the node's figures. Each call takes `refusal()`, which gives (code, message)
    when reads may not be served now, else None."""

    def __init__(self, replica, stats):
        self.replica = replica
        self.stats = stats
        self.reads_served = 0
        self.max_batch_ops = DEFAULT_MAX_BATCH_OPS
        self.max_key_bytes = DEFAULT_MAX_KEY_BYTES

    def take_limits(self, limits):
        self.max_batch_ops = limits["maxBatchOps"]
        self.max_key_bytes = limits["maxKeyBytes"]

    def answer_all(self, ops, refusal):
        return [self.answer(op, refusal) for op in ops]

    def answer_direct(self, ops, refusal):
        """The same for a client's request straight to this node, with the size limits the broker would check."""
        if len(ops) > self.max_batch_ops:
            message = f"a request may hold at most {self.max_batch_ops} ops"
            return [(op["id"], wire.TAG_ERROR, ("ERR_BATCH_TOO_LARGE", message)) for op in ops]
        replies = []
        for op in ops:
            key = op.get("key", op.get("pattern"))
            if op.get("key") == "":
                # As the TypeScript node and the broker: an empty key is a bad request, never a miss.
                replies.append((op["id"], wire.TAG_ERROR, ("ERR_BAD_KEY", "keys must not be empty")))
            elif key is not None and len(key.encode("utf-8")) > self.max_key_bytes:
                replies.append((op["id"], wire.TAG_ERROR, ("ERR_KEY_TOO_LARGE", f"key is over {self.max_key_bytes} bytes")))
            else:
                replies.append(self.answer(op, refusal))
        return replies

    def answer(self, op, refusal):
        op_id, name = op["id"], op["op"]
        store = self.replica.store
        if name == "ping":
            return (op_id, wire.TAG_NONE, None)
        if name == "stats":
            return (op_id, wire.TAG_JSON, self.stats())
        if name == "recent":
            return (op_id, wire.TAG_JSON, list(self.replica.recent))
        if name == "expiries":
            return (op_id, wire.TAG_JSON, store.expiries())
        if name in ("set", "del", "expire", "flushall", "nodes"):
            message = f"a node in a cluster does not take {name}; send it to the broker, which sequences writes"
            return (op_id, wire.TAG_ERROR, ("ERR_WRONG_ROLE", message))
        if name == "watch":
            return (op_id, wire.TAG_ERROR, ("ERR_WRONG_ROLE", "membership comes from the broker, not from a node"))
        refused = refusal()
        if refused is not None:
            return (op_id, wire.TAG_ERROR, refused)
        self.reads_served += 1
        if name == "ttl":
            return (op_id, wire.TAG_NUMBER, store.time_left(op["key"]))
        if name == "get":
            value = store.get(op["key"])
            return (op_id, wire.TAG_NIL, None) if value is None else (op_id, wire.TAG_BYTES, value)
        try:
            matches = compile_glob(op["pattern"])
        except BadPattern as error:
            return (op_id, wire.TAG_ERROR, ("ERR_BAD_REQUEST", f"invalid pattern {op['pattern']!r}: {error}"))
        if name == "scan":
            # Python orders str by code point, which is the UTF-8 byte order that scan asks for.
            after = op["after"]
            return (op_id, wire.TAG_STRINGS, heapq.nsmallest(op["count"], (key for key in store.keys(matches) if key > after)))
        return (op_id, wire.TAG_STRINGS, store.keys(matches))
