"""The reference values of docs/PROTOCOL.md, checked against this node's parts (no sockets).

    cd examples/python-node && /usr/bin/python3 -m unittest -v test_parts
"""

import json
import struct
import unittest

import wire
from answers import Answers
from broker_clock import BrokerClock
from digest import EMPTY, murmur3
from glob_pattern import BadPattern, compile_glob
from replica import Replica
from snapshot_source import SnapshotSource
from store import TINY, Store, expiry_on_local_clock, wall_ms


class Murmur3(unittest.TestCase):
    def test_reference_values(self):
        self.assertEqual(murmur3(b""), 0x00000000)
        self.assertEqual(murmur3(b"hello"), 0x248BFA47)
        self.assertEqual(murmur3(b"hello", 1), 0xBB4ABCAD)
        self.assertEqual(murmur3(b"k"), 0xCFBDA5D1)


class Digest(unittest.TestCase):
    def test_empty_and_one_entry(self):
        store = Store()
        self.assertEqual(store.digest, EMPTY)
        store.set("k", b"v", 1, 0)
        self.assertEqual(store.digest, "61b4e38f55eab05a")

    def test_order_independent_and_removal_subtracts(self):
        a, b = Store(), Store()
        a.set("x", b"1", 1, 0)
        a.set("y", b"2", 2, 0)
        b.set("y", b"2", 2, 0)
        b.set("x", b"1", 1, 0)
        self.assertEqual(a.digest, b.digest)
        a.delete("x", 3)
        a.delete("y", 4)
        self.assertEqual(a.digest, EMPTY)

    def test_per_key_seq_rule(self):
        store = Store()
        store.set("k", b"new", 5, 0)
        store.set("k", b"old", 4, 0)
        self.assertEqual(store.get("k"), b"new")
        self.assertFalse(store.delete("k", 5))
        self.assertTrue(store.delete("k", 6))


# PROTOCOL.md 3.5: a `writes` {epoch 1, firstSeq 1, sentAt 1000, one set of k = v with expiresAt 6000, no origin},
# and a `snapshot-chunk` {joinId 1, sentAt 1000, one entry k = v, seq 1, expiresAt 6000}.
WRITES = bytes.fromhex(
    "0115 000000000000f03f 000000000000f03f 0000000000408f40 01000000 01 010000006b 0100000076 000000000070b740 00".replace(" ", ""))
SNAPSHOT_CHUNK = bytes.fromhex(
    "0116 01000000 0000000000408f40 01000000 010000006b 0100000076 000000000000f03f 000000000070b740".replace(" ", ""))


class Wire(unittest.TestCase):
    SET_REQUEST = bytes.fromhex("0101010000000100000003010000006b0100000076000000000000000000")

    def test_worked_example_decodes(self):
        kind, body = wire.decode(self.SET_REQUEST)
        self.assertEqual(kind, wire.REQUEST)
        self.assertEqual(body["ops"], [{"id": 1, "op": "set", "key": "k", "value": b"v", "ttlMs": 0, "wait": "all"}])

    def test_reply_and_ack_encode(self):
        self.assertEqual(wire.reply([(1, wire.TAG_NONE, None)]).hex(), "01020100000001000000" + "00")
        ack = "0108" + "0000000000000040" + "0000000000001c40" + "01000000" + "0000000000001c40"
        self.assertEqual(wire.ack(2, 7, [7]).hex(), ack)

    def test_bad_input_codes(self):
        cases = [
            (b"\x01", "ERR_MALFORMED"),
            (b"\x02\x01", "ERR_BAD_VERSION"),
            (b"\x01\x63", "ERR_UNKNOWN_MESSAGE"),
            (bytes.fromhex("0101010000000100000063"), "ERR_UNKNOWN_OP"),
            (self.SET_REQUEST + b"\x00", "ERR_MALFORMED"),
            (bytes.fromhex("010101000000010000000202000000c328"), "ERR_BAD_KEY"),
        ]
        for frame, code in cases:
            with self.subTest(frame=frame.hex()):
                with self.assertRaises(wire.DecodeError) as caught:
                    wire.decode(frame)
                self.assertEqual(caught.exception.code, code)

    def test_writes_reference_frame(self):
        kind, body = wire.decode(WRITES)
        self.assertEqual(kind, wire.WRITES)
        self.assertEqual(kind, 21)
        self.assertEqual(body, {"epoch": 1, "firstSeq": 1, "sentAt": 1000.0, "writes": [
            {"kind": wire.KIND_SET, "key": "k", "value": b"v", "expiresAt": 6000.0, "origin": None}]})

    def test_snapshot_chunk_reference_frame(self):
        self.assertEqual(wire.snapshot_chunk(1, 1000, [("k", b"v", 1, 6000)]), SNAPSHOT_CHUNK)
        kind, body = wire.decode(SNAPSHOT_CHUNK)
        self.assertEqual(kind, wire.SNAPSHOT_CHUNK)
        self.assertEqual(kind, 22)
        self.assertEqual(body, {"joinId": 1, "sentAt": 1000.0, "entries": [("k", b"v", 1, 6000.0)]})

    def test_retired_codes_are_unknown_types(self):
        self.assertNotIn(7, wire.KNOWN_TYPES)
        self.assertNotIn(15, wire.KNOWN_TYPES)
        self.assertEqual(set(wire.KNOWN_TYPES), set(range(1, 23)) - {7, 15})
        # The old layouts under the old codes: refused by type, never misread.
        old_writes = bytes.fromhex("0107" + "000000000000f03f" * 2 + "01000000" + "01010000006b0100000076" + "000000000070b740" + "00")
        old_chunk = bytes.fromhex("010f" + "01000000" + "01000000" + "010000006b0100000076" + "000000000000f03f" + "000000000070b740")
        for frame in (old_writes, old_chunk, b"\x01\x07", b"\x01\x0f", b"\x01\x17"):
            with self.subTest(frame=frame.hex()):
                with self.assertRaises(wire.DecodeError) as caught:
                    wire.decode(frame)
                self.assertEqual(caught.exception.code, "ERR_UNKNOWN_MESSAGE")

    def test_sent_at_and_expires_at_must_be_finite(self):
        # Byte offsets in the reference frames: writes' sentAt at 18 and expiresAt at 42; the chunk's sentAt at 6 and expiresAt at 38.
        for frame, offset in ((WRITES, 18), (WRITES, 42), (SNAPSHOT_CHUNK, 6), (SNAPSHOT_CHUNK, 38)):
            for bad in (float("nan"), float("inf"), float("-inf")):
                with self.subTest(type=frame[1], offset=offset, value=bad):
                    broken = frame[:offset] + struct.pack("<d", bad) + frame[offset + 8 :]
                    with self.assertRaises(wire.DecodeError) as caught:
                        wire.decode(broken)
                    self.assertEqual(caught.exception.code, "ERR_MALFORMED")
        # Negative and fractional values are finite, so they are read (only the time left matters).
        kind, body = wire.decode(WRITES[:18] + struct.pack("<d", -1.5) + WRITES[26:])
        self.assertEqual(body["sentAt"], -1.5)

    def test_op_ids_read_before_a_failure(self):
        with self.assertRaises(wire.DecodeError) as caught:
            wire.decode(bytes.fromhex("01010200000001000000010200000063"))
        self.assertEqual(caught.exception.op_ids, [1, 2])


class Effects:
    """The node around a Replica, recording what it sends."""

    def __init__(self):
        self.sent = []

    def to_broker(self, frame):
        self.sent.append(wire.decode(frame) if frame[1] != wire.ACK else ("ack", frame))

    def start_snapshot(self, join_id, endpoint, min_seq):
        pass

    def stop_snapshot(self):
        pass

    def resync(self, reason):
        raise AssertionError(f"unexpected resync: {reason}")

    def caught_up(self):
        pass

    def log(self, message, level="info"):
        pass


def welcome(state, seq=0, source=""):
    return {"epoch": 1, "state": state, "seq": seq, "reset": True, "joinId": 9, "sourceId": "src" if source else "",
            "sourceEndpoint": source, "heartbeatMs": 500, "leaseMs": 1000,
            "limits": {"maxKeyBytes": 65_536, "maxValueBytes": 16 << 20, "maxBatchOps": 100_000, "maxFrameBytes": 64 << 20}}


class Expiry(unittest.TestCase):
    """PROTOCOL.md 5.11: an expiry crosses processes as the time left, never as a time compared between clocks."""

    def test_onto_the_local_clock(self):
        self.assertEqual(expiry_on_local_clock(0, 1000, 50_000), 0)
        self.assertEqual(expiry_on_local_clock(6000, 1000, 50_000), 55_000)
        self.assertEqual(expiry_on_local_clock(6000, 1000, -50_000), TINY)  # a clock near its origin
        self.assertEqual(expiry_on_local_clock(500, 1000, 0.25), TINY)  # already past: stays past, never 0
        self.assertGreater(TINY, 0)

    def test_writes_are_moved_on_receipt(self):
        # The broker's clock (1000) is nowhere near this node's wall clock: only the 5 s left count.
        replica = Replica(Effects())
        replica.on_welcome(welcome("ready"))
        before = wall_ms()
        replica.on_writes(wire.decode(WRITES)[1])
        after = wall_ms()
        value, seq, expires_at, _ = replica.store.entries["k"]
        self.assertEqual((value, seq), (b"v", 1))
        self.assertTrue(before + 5000 <= expires_at <= after + 5000, expires_at - before)
        self.assertEqual(replica.store.get("k"), b"v")

    def test_an_older_epochs_frame_is_ignored_not_a_gap(self):
        # Effects.resync fails the test: a frame of epoch 1 reaching a node in epoch 2 changes nothing.
        replica = Replica(Effects())
        replica.on_welcome({**welcome("ready"), "epoch": 2})
        replica.on_writes(wire.decode(WRITES)[1])
        self.assertEqual((replica.state, replica.position), ("ready", 0))
        self.assertIsNone(replica.store.get("k"))

    def test_writes_run_from_when_the_broker_sent_them(self):
        # A heartbeat answer the broker stamped 10_000 arrived when this node's clock read `here`
        # + 1: a write with 10 s to live that the broker sent at its 3_000, 7 s before (read late by
        # a paused node), keeps 3 s (at most that answer's transit more), not 10.
        replica = Replica(Effects())
        replica.on_welcome(welcome("ready"))
        here = wall_ms()
        replica.broker_clock.add_sample(10_000, here + 1)
        frame = wire.decode(WRITES)[1]
        frame["sentAt"], frame["writes"][0]["expiresAt"] = 3_000, 13_000
        replica.on_writes(frame)
        self.assertAlmostEqual(replica.store.entries["k"][2], here + 3001, delta=0.001)

    def test_a_broker_clock_takes_the_quickest_answer_and_never_dates_a_message_after_its_receipt(self):
        clock = BrokerClock(window=3)
        self.assertEqual(clock.local_time_of(5, 100), 100)  # no answer yet: the receipt
        clock.add_sample(1000, 900)  # waited in a paused process's socket
        clock.add_sample(1300, 801)  # the tightest bound: broker - local >= 499
        clock.add_sample(1600, 1200)
        self.assertEqual(clock.local_time_of(1400, 10_000), 901)
        self.assertEqual(clock.local_time_of(99_000, 10_000), 10_000)
        for _ in range(3):
            clock.add_sample(0, -25)  # the quick answer leaves the window
        self.assertEqual(clock.local_time_of(1400, 10_000), 1375)
        clock.reset()
        self.assertEqual(clock.local_time_of(1400, 10_000), 10_000)

    def test_a_joiner_moves_a_write_before_it_buffers_it(self):
        replica = Replica(Effects())
        replica.on_welcome(welcome("joining", 0, "tcp://127.0.0.1:1"))
        before = wall_ms()
        replica.on_writes(wire.decode(WRITES)[1])
        after = wall_ms()
        [(seq, write)] = replica.join.buffer
        self.assertEqual(seq, 1)
        self.assertTrue(before + 5000 <= write["expiresAt"] <= after + 5000)

    def test_a_joiner_moves_snapshot_entries(self):
        replica = Replica(Effects())
        replica.on_welcome(welcome("joining", 0, "tcp://127.0.0.1:1"))
        replica.on_snapshot_begin({"joinId": 9, "seq": 3, "totalKeys": 3})
        entries = [("k", b"v", 1, 6000), ("gone", b"x", 2, 999), ("forever", b"y", 3, 0)]
        before = wall_ms()
        self.assertTrue(replica.on_snapshot_chunk(wire.decode(wire.snapshot_chunk(9, 1000, entries))[1]))
        after = wall_ms()
        store = replica.store
        self.assertTrue(before + 5000 <= store.entries["k"][2] <= after + 5000)
        self.assertTrue(before - 1 <= store.entries["gone"][2] <= after - 1)  # past on the source: hidden at once, still stored
        self.assertIsNone(store.get("gone"))
        self.assertEqual(len(store), 3)
        self.assertEqual(store.entries["forever"][2], 0)

    def test_the_source_sends_stored_expiries_beside_its_clock(self):
        replica = Replica(Effects())
        replica.on_welcome(welcome("ready"))
        expires_at = wall_ms() + 60_000
        replica.store.set("k", b"v", 1, expires_at)
        replica.store.set("n", b"w", 1, 0)
        sent = []
        source = SnapshotSource(replica, lambda peer, frame: sent.append(wire.decode(frame)), lambda *a: None)
        before = wall_ms()
        source.on_request(b"peer", {"joinId": 4, "minSeq": 0, "credit": 8})
        after = wall_ms()
        kinds = [kind for kind, _ in sent]
        self.assertEqual(kinds, [wire.SNAPSHOT_BEGIN, wire.SNAPSHOT_CHUNK, wire.SNAPSHOT_END])
        chunk = sent[1][1]
        self.assertTrue(before <= chunk["sentAt"] <= after)
        self.assertEqual(sorted(chunk["entries"]), [("k", b"v", 1, expires_at), ("n", b"w", 1, 0.0)])

    def test_expiries_answer(self):
        store = Store()
        store.set("a", b"1", 1, 12_345.5)
        store.set("b", b"2", 2, 0)
        before = wall_ms()
        answer = json.loads(json.dumps(store.expiries()))
        self.assertEqual(set(answer), {"sentAt", "keys"})
        self.assertTrue(before <= answer["sentAt"] <= wall_ms())
        self.assertEqual(answer["keys"], [["a", 12_345.5]])


class Scan(unittest.TestCase):
    # encode({type:'request',ops:[{op:'scan',id:5,pattern:'k*',after:'k1',count:2}]}) from packages/protocol
    SCAN_REQUEST = bytes.fromhex("010101000000050000000d020000006b2a020000006b3102000000")

    def test_a_scan_decodes_and_answers_a_page_in_utf8_order(self):
        kind, body = wire.decode(self.SCAN_REQUEST)
        self.assertEqual(kind, wire.REQUEST)
        self.assertEqual(body["ops"], [{"id": 5, "op": "scan", "pattern": "k*", "after": "k1", "count": 2}])
        store = Store()
        for seq, key in enumerate(["k3", "k1", "k2", "x", "k\ue000", "k\U0001f600", "k0"], start=1):
            store.set(key, b"v", seq, 0)
        replica = type("FakeReplica", (), {"store": store})()
        answers = Answers(replica, lambda: {})
        self.assertEqual(answers.answer(body["ops"][0], lambda: None), (5, wire.TAG_STRINGS, ["k2", "k3"]))
        tail = dict(body["ops"][0], after="k3", count=5)
        # U+E000 sorts before U+1F600 by code point (and UTF-8 bytes), though not by UTF-16 units.
        self.assertEqual(answers.answer(tail, lambda: None), (5, wire.TAG_STRINGS, ["k\ue000", "k\U0001f600"]))


class DirectRequests(unittest.TestCase):
    def test_an_empty_key_is_a_bad_request_not_a_miss_and_ttl_answers_as_pttl(self):
        store = Store()
        store.set("k", b"v", 1, 0)
        answers = Answers(type("FakeReplica", (), {"store": store})(), lambda: {})
        ready = lambda: None  # noqa: E731
        self.assertEqual(answers.answer_direct([{"id": 1, "op": "get", "key": ""}], ready), [(1, wire.TAG_ERROR, ("ERR_BAD_KEY", "keys must not be empty"))])
        self.assertEqual(answers.answer_direct([{"id": 2, "op": "ttl", "key": "k"}, {"id": 3, "op": "ttl", "key": "nope"}], ready),
                         [(2, wire.TAG_NUMBER, -1), (3, wire.TAG_NUMBER, -2)])


class Glob(unittest.TestCase):
    def test_patterns(self):
        cases = [
            ("*", "anything", True),
            ("user:*", "user:42", True),
            ("user-*", "user-1", True),
            ("h?llo", "hello", True),
            ("h[ae]llo", "hallo", True),
            ("h[^e]llo", "hello", False),
            ("h[!e]llo", "hallo", True),
            ("[a-c]x", "bx", True),
            ("[]a]", "]", True),
            ("[^]", "z", True),
            ("\\*", "*", True),
            ("\\*", "a", False),
            ("[abc", "[abc", True),
            ("", "", False),
        ]
        for pattern, key, expected in cases:
            with self.subTest(pattern=pattern, key=key):
                self.assertEqual(compile_glob(pattern)(key), expected)

    def test_a_reversed_range_is_refused(self):
        with self.assertRaises(BadPattern):
            compile_glob("[z-a]")


if __name__ == "__main__":
    unittest.main()
