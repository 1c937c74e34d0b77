"""Redis-style glob patterns of the `keys` op (PROTOCOL.md 7), compiled to a Python regex."""

import re


class BadPattern(ValueError):
    """A pattern with a reversed range, such as `[z-a]`: answered with ERR_BAD_REQUEST."""


def compile_glob(pattern):
    """Returns a function that tells whether a key matches the whole pattern."""
    if pattern == "":
        return lambda key: False
    out = []
    i = 0
    n = len(pattern)
    while i < n:
        c = pattern[i]
        if c == "*":
            out.append(".*")
        elif c == "?":
            out.append(".")
        elif c == "\\" and i + 1 < n:
            i += 1
            out.append(re.escape(pattern[i]))
        elif c == "[":
            # A set ends at the first ']' at least two characters after the '['.
            end = pattern.find("]", i + 2)
            if end == -1:
                out.append(re.escape(c))
            else:
                out.append(_set(pattern[i + 1 : end]))
                i = end
        else:
            out.append(re.escape(c))
        i += 1
    regex = re.compile("".join(out), re.DOTALL)
    return lambda key: regex.fullmatch(key) is not None


def _set(body):
    negate = body[:1] in ("^", "!")
    if negate:
        body = body[1:]
    if body == "":
        return "[\\s\\S]"  # `[^]` and `[!]`: any one character
    items = []
    i = 0
    while i < len(body):
        if i + 2 < len(body) and body[i + 1] == "-":
            low, high = body[i], body[i + 2]
            if low > high:
                raise BadPattern(f"reversed range {low}-{high} in a set")
            items.append(re.escape(low) + "-" + re.escape(high))
            i += 3
        else:
            items.append(re.escape(body[i]))
            i += 1
    return ("[^" if negate else "[") + "".join(items) + "]"
