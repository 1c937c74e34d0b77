"""The snapshot source's side of a join (PROTOCOL.md 5.8): the broker may pick this node to stream
its data to a joiner, under credit-based flow control."""

import time

import wire
from store import wall_ms

CHUNK_ENTRIES = 2000
CHUNK_BYTES = 1024 * 1024
IDLE_SECONDS = 30


class Stream:
    def __init__(self, peer, join_id, min_seq, credit):
        self.peer = peer
        self.join_id = join_id
        self.min_seq = min_seq
        self.credit = credit
        self.entries = None  # the point-in-time copy, once begun
        self.next = 0
        self.last_activity = time.monotonic()


class SnapshotSource:
    """`send(peer, frame)` sends on the node's ROUTER."""

    def __init__(self, replica, send, log):
        self.replica = replica
        self.send = send
        self.log = log
        self.streams = {}  # peer routing id -> Stream

    def on_request(self, peer, m):
        # A new request from the same peer replaces its old stream.
        self.streams[peer] = Stream(peer, m["joinId"], m["minSeq"], m["credit"])
        self.log(f"snapshot requested: join {m['joinId']}, min seq {m['minSeq']}")
        self.pump()

    def on_credit(self, peer, m):
        stream = self.streams.get(peer)
        if stream is None or stream.join_id != m["joinId"]:
            return
        stream.credit += m["credit"]
        stream.last_activity = time.monotonic()
        self.pump()

    def pump(self):
        """Starts the streams whose min seq this node has reached; sends chunks while credit lasts."""
        for peer, stream in list(self.streams.items()):
            if self.replica.state != "ready":
                del self.streams[peer]
                self.send(peer, wire.error("ERR_NOT_READY", "the snapshot source is no longer ready"))
                continue
            if stream.entries is None:
                if self.replica.position < stream.min_seq:
                    continue
                # Every entry of this copy has a seq <= S; the joiner replays its stream after S.
                stream.entries = self.replica.store.snapshot()
                self.send(peer, wire.snapshot_begin(stream.join_id, self.replica.position, len(stream.entries)))
            while stream.credit > 0 and stream.next < len(stream.entries):
                self._send_chunk(stream)
            if stream.next >= len(stream.entries):
                self.send(peer, wire.snapshot_end(stream.join_id, stream.next))
                self.log(f"snapshot sent: join {stream.join_id}, {stream.next} entries")
                del self.streams[peer]

    def sweep(self):
        """Forgets streams whose joiner went quiet."""
        now = time.monotonic()
        for peer, stream in list(self.streams.items()):
            if now - stream.last_activity > IDLE_SECONDS:
                del self.streams[peer]

    def _send_chunk(self, stream):
        end = stream.next
        size = 0
        while end < len(stream.entries) and end - stream.next < CHUNK_ENTRIES and size < CHUNK_BYTES:
            key, value = stream.entries[end][0], stream.entries[end][1]
            size += len(key) + len(value)
            end += 1
        # The stored expiries go as they are, beside this node's clock reading: the joiner moves them onto its clock (5.11).
        chunk = wire.snapshot_chunk(stream.join_id, wall_ms(), stream.entries[stream.next : end])
        self.send(stream.peer, chunk)
        stream.credit -= 1
        stream.next = end
