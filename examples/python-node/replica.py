"""The replication state machine (PROTOCOL.md 5.3, 5.5 and the joiner's side of 5.8), free of sockets."""

import collections
import time

import wire
from broker_clock import BrokerClock
from store import Store, expiry_on_local_clock, wall_ms

JOIN_BUFFER_WRITES = 1_000_000
JOIN_BUFFER_BYTES = 256 * 1024 * 1024
RECENT_WRITES = 100_000


class Join:
    def __init__(self, join_id, source_id):
        self.id = join_id
        self.source_id = source_id
        self.started_at = time.monotonic()
        self.snapshot_seq = None  # S, once snapshot-begin has said it
        self.loaded = False
        self.received = 0
        self.total = 0
        self.buffer = []  # (seq, write)
        self.buffer_bytes = 0


class Replica:
    """`effects` is the node around it: to_broker(frame), start_snapshot(join_id, endpoint, min_seq),
    stop_snapshot(), resync(reason), caught_up() (after caught-up is sent), log(message)."""

    def __init__(self, effects):
        self.effects = effects
        self.store = Store()
        self.state = "registering"
        self.epoch = 0
        self.position = 0
        self.whole = True  # the store holds the complete content as of (epoch, position)
        self.join = None
        self.removed_since_ack = []
        self.recent = collections.deque(maxlen=RECENT_WRITES)
        self.broker_clock = BrokerClock()

    @property
    def progress(self):
        return (self.join.received, self.join.total) if self.join else (0, 0)

    def registration(self):
        """(epoch, seq) to register with: 0, 0 when the store is not whole, which the broker reads as a blank
        node, one that may seed only a cluster that never held data."""
        return (self.epoch, self.position) if self.whole else (0, 0)

    def unregistered(self):
        self._drop_join()
        self.state = "registering"

    def on_welcome(self, m):
        self._drop_join()
        if m["state"] != "ready" and not m["sourceEndpoint"]:
            # No node whose data is whole is ready: keep the store as it is and wait for the next welcome.
            self.state = "joining"
            self.effects.log("waiting for a node whose data is whole to join from")
            return
        self.epoch = m["epoch"]
        self.position = m["seq"]
        self.removed_since_ack = []
        if m["state"] == "ready":
            if m["reset"]:
                self.store.clear()
            self._become_ready()
            return
        self.store.clear()
        self.whole = False
        self.state = "joining"
        self.join = Join(m["joinId"], m["sourceId"])
        self.effects.log(f"join {m['joinId']} started from {m['sourceId']} at seq {m['seq']}")
        self.effects.start_snapshot(m["joinId"], m["sourceEndpoint"], m["seq"])

    def on_writes(self, m):
        if self.state == "registering":
            return
        # A frame of an older epoch, sent before the new one started (or by a deposed broker), is refused, not a gap.
        if m["epoch"] < self.epoch:
            return
        if m["epoch"] != self.epoch:
            return self._gap(f"write stream of epoch {m['epoch']} while in epoch {self.epoch}")
        if m["firstSeq"] > self.position + 1:
            return self._gap(f"write stream jumped from seq {self.position} to {m['firstSeq']}")
        join = self.join
        # Expiries run from when the broker sent the writes, not from when this node read them (5.11).
        sent_at = m["sentAt"]
        sent_here = self.broker_clock.local_time_of(sent_at, wall_ms())
        for i, w in enumerate(m["writes"]):
            seq = m["firstSeq"] + i
            if seq <= self.position:
                continue
            # Onto this node's clock now, so a buffered write's time left runs on it too (5.11).
            if w["expiresAt"] != 0:
                w["expiresAt"] = expiry_on_local_clock(w["expiresAt"], sent_at, sent_here)
            self.position = seq
            removed = False
            if join and not join.loaded:
                if not self._buffer(join, seq, w):
                    return
            elif join:
                if seq > join.snapshot_seq:
                    self._apply(seq, w)
            elif self._apply(seq, w):
                removed = True
                self.removed_since_ack.append(seq)
            if w["origin"] is not None:
                kind = wire.KIND_NAMES[w["kind"]]
                self.recent.append([w["origin"][0], w["origin"][1], kind, 1 if removed else 0])
        if self.state == "ready":
            self.effects.to_broker(wire.ack(self.epoch, self.position, self.removed_since_ack))
            self.removed_since_ack = []
        else:
            self._maybe_caught_up()

    def on_snapshot_begin(self, m):
        join = self._current(m["joinId"])
        if join:
            join.snapshot_seq = m["seq"]
            join.total = m["totalKeys"]

    def on_snapshot_chunk(self, m):
        """Loads the entries; True when the chunk belongs to the current join (and earns a credit)."""
        join = self._current(m["joinId"])
        if not join or join.snapshot_seq is None:
            return False
        sent_at, now = m["sentAt"], wall_ms()
        for key, value, seq, expires_at in m["entries"]:
            self.store.set(key, value, seq, expiry_on_local_clock(expires_at, sent_at, now))
        join.received += len(m["entries"])
        join.total = max(join.total, join.received)
        return True

    def on_snapshot_end(self, m):
        join = self._current(m["joinId"])
        if not join or join.snapshot_seq is None:
            return
        join.loaded = True
        join.total = join.received
        for seq, w in join.buffer:
            if seq > join.snapshot_seq:
                self._apply(seq, w)
        join.buffer = []
        self._maybe_caught_up()

    def fail_join(self, reason):
        join = self.join
        if not join:
            return
        self._drop_join()
        self.store.clear()
        self.state = "registering"
        self.effects.log(f"join {join.id} failed: {reason}")
        self.effects.to_broker(wire.join_failed(join.id, reason))

    # ---- internals -----------------------------------------------------------------------------

    def _apply(self, seq, w):
        """Applies a write; True for a delete that removed a live key, or an expire that found one."""
        kind = w["kind"]
        if kind == wire.KIND_SET:
            self.store.set(w["key"], w["value"], seq, w["expiresAt"])
            return False
        if kind == wire.KIND_FLUSH:
            self.store.clear()
            return False
        if kind == wire.KIND_EXPIRE:
            return self.store.expire(w["key"], seq, w["expiresAt"])
        return self.store.delete(w["key"], seq)

    def _buffer(self, join, seq, w):
        join.buffer.append((seq, w))
        join.buffer_bytes += len(w["key"]) + len(w["value"] or b"") + 48
        if len(join.buffer) > JOIN_BUFFER_WRITES or join.buffer_bytes > JOIN_BUFFER_BYTES:
            self.fail_join(f"join buffer overflow ({len(join.buffer)} writes, {join.buffer_bytes} bytes)")
            return False
        return True

    def _maybe_caught_up(self):
        join = self.join
        if not join or not join.loaded or self.position < join.snapshot_seq:
            return
        self._drop_join()
        self.effects.to_broker(wire.caught_up(join.id, self.position))
        elapsed = round((time.monotonic() - join.started_at) * 1000)
        self.effects.log(f"join {join.id} completed at seq {self.position} with {len(self.store)} keys in {elapsed} ms")
        self._become_ready()
        self.effects.caught_up()

    def _become_ready(self):
        self.state = "ready"
        self.whole = True
        self.effects.log(f"node ready in epoch {self.epoch} at seq {self.position}")

    def _gap(self, reason):
        self._drop_join()
        if self.state == "joining":
            self.whole = False
        self.state = "registering"
        self.effects.resync(reason)

    def _drop_join(self):
        if self.join:
            self.effects.stop_snapshot()
        self.join = None

    def _current(self, join_id):
        return self.join if self.join and self.join.id == join_id else None
