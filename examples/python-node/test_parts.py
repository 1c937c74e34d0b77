"""The reference values of docs/PROTOCOL.md, checked against this node's parts (no sockets).

    cd examples/python-node && /usr/bin/python3 -m unittest -v test_parts
"""

import unittest

import wire
from digest import EMPTY, murmur3
from glob_pattern import BadPattern, compile_glob
from store import Store


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

    def test_op_ids_read_before_a_failure(self):
        with self.assertRaises(wire.DecodeError) as caught:
            wire.decode(bytes.fromhex("01010200000001000000010200000063"))
        self.assertEqual(caught.exception.op_ids, [1, 2])


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
