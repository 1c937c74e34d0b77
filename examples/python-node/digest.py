"""MurmurHash3 (x86, 32-bit) and the order-independent content digest (PROTOCOL.md 6.1, 6.3)."""

MASK32 = 0xFFFFFFFF
MASK64 = 0xFFFFFFFFFFFFFFFF
KEY_SEED = 0x9747B28C
HIGH_SEED_XOR = 0x5BD1E995
EMPTY = "0000000000000000"


def _rotl(x, r):
    return ((x << r) | (x >> (32 - r))) & MASK32


def murmur3(data, seed=0):
    c1, c2 = 0xCC9E2D51, 0x1B873593
    h = seed & MASK32
    length = len(data)
    blocks = length // 4
    for i in range(blocks):
        k = int.from_bytes(data[4 * i : 4 * i + 4], "little")
        k = (k * c1) & MASK32
        k = _rotl(k, 15)
        k = (k * c2) & MASK32
        h ^= k
        h = _rotl(h, 13)
        h = (h * 5 + 0xE6546B64) & MASK32
    tail = data[4 * blocks :]
    if tail:
        k = int.from_bytes(tail, "little")
        k = (k * c1) & MASK32
        k = _rotl(k, 15)
        k = (k * c2) & MASK32
        h ^= k
    h ^= length
    h ^= h >> 16
    h = (h * 0x85EBCA6B) & MASK32
    h ^= h >> 13
    h = (h * 0xC2B2AE35) & MASK32
    h ^= h >> 16
    return h


def entry_hash(key, value):
    """One entry's 64-bit contribution to the digest."""
    h = murmur3(key.encode("utf-8"), KEY_SEED)
    low = murmur3(value, h)
    high = murmur3(value, h ^ HIGH_SEED_XOR)
    return (high << 32) | low


def digest_hex(total):
    """The digest as sent: 16 lowercase hex digits, high lane first."""
    return f"{total & MASK64:016x}"
