"""The broker's clock as this node learns it from heartbeat answers (PROTOCOL.md 5.11)."""


class BrokerClock:
    """Each heartbeat-ack carries the broker's reading (`brokerAt`), taken before this node received it,
    so the broker's clock minus this node's is at least `brokerAt - received_at`. The quickest answer
    of the latest few gives the tightest bound; one that waited in a paused process's socket loses."""

    def __init__(self, window=8):
        self.window = window
        self.bounds = []

    def reset(self):
        self.bounds = []

    def add_sample(self, broker_at, received_at):
        self.bounds.append(broker_at - received_at)
        del self.bounds[:-self.window]

    def local_time_of(self, broker_time, now):
        """When, on this node's wall clock, the broker's clock read `broker_time`, or a little after;
        never later than `now`, and `now` itself until an answer has come."""
        if not self.bounds:
            return now
        return min(now, broker_time - max(self.bounds))
