"""The node's data: key -> (value, seq, expiresAt), the per-key seq rule (PROTOCOL.md 5.5), and a
running digest (6.3). Expiries are stored on this node's wall clock; those from other processes are
moved onto it on receipt (5.11)."""

import math
import time

from digest import MASK64, digest_hex, entry_hash


def wall_ms():
    return time.time() * 1000


# The least positive double (JavaScript's Number.MIN_VALUE): a past expiry stays past, and never 0, which means none.
TINY = math.ulp(0.0)


def expiry_on_local_clock(expires_at, sent_at, now):
    """An expiry on the sender's clock, which read `sent_at` when it sent it, moved onto this node's clock,
    which reads `now` on receipt: as much time left as the sender saw. No other process's clock is
    ever compared with this one, so the hosts' clocks need not agree (5.11)."""
    if expires_at == 0:
        return 0
    return max(now + (expires_at - sent_at), TINY)


def live(expires_at, now):
    return expires_at == 0 or expires_at > now


class Store:
    def __init__(self):
        self.entries = {}  # key -> (value, seq, expiresAt, entry hash)
        self.total = 0

    def __len__(self):
        return len(self.entries)

    @property
    def digest(self):
        return digest_hex(self.total)

    def clear(self):
        self.entries.clear()
        self.total = 0

    def set(self, key, value, seq, expires_at):
        """Stores the entry unless the key already holds a write at least as new."""
        old = self.entries.get(key)
        if old is not None:
            if old[1] >= seq:
                return
            self.total -= old[3]
        h = entry_hash(key, value)
        self.entries[key] = (value, seq, expires_at, h)
        self.total = (self.total + h) & MASK64

    def delete(self, key, seq):
        """Removes the key unless it holds a newer write; True when a live entry was removed."""
        old = self.entries.get(key)
        if old is None or old[1] >= seq:
            return False
        del self.entries[key]
        self.total = (self.total - old[3]) & MASK64
        return live(old[2], wall_ms())

    def expire(self, key, seq, expires_at):
        """A new expiry for the key unless it holds a newer write; True when the key was there. Whether it
        is there, not whether this node's clock still shows it: the broker deletes a key whose time is
        up before it sequences an expire of it, so every node does the same."""
        old = self.entries.get(key)
        if old is None or old[1] >= seq:
            return False
        self.entries[key] = (old[0], seq, expires_at, old[3])
        return True

    def time_left(self, key):
        """The `ttl` answer, as Redis's PTTL: ms left, -1 for a key with no TTL, -2 for a missing one."""
        now = wall_ms()
        entry = self.entries.get(key)
        if entry is None or not live(entry[2], now):
            return -2
        return -1 if entry[2] == 0 else max(1, math.ceil(entry[2] - now))

    def get(self, key):
        entry = self.entries.get(key)
        if entry is None or not live(entry[2], wall_ms()):
            return None
        return entry[0]

    def keys(self, matches):
        now = wall_ms()
        return [key for key, entry in self.entries.items() if live(entry[2], now) and matches(key)]

    def expiries(self):
        """The `expiries` answer: every key with a TTL, its expiry on this node's clock as of `sentAt` (5.11)."""
        sent_at = wall_ms()
        return {"sentAt": sent_at, "keys": [[key, entry[2]] for key, entry in self.entries.items() if entry[2] != 0]}

    def snapshot(self):
        """A point-in-time copy: (key, value, seq, expiresAt) for every entry, expired ones included."""
        return [(key, e[0], e[1], e[2]) for key, e in self.entries.items()]
