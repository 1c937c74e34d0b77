#!/usr/bin/python3
"""A Brainer cache node in Python, written from docs/PROTOCOL.md: it registers with the broker,
joins through a peer's snapshot, applies the write stream, heartbeats, answers reads (forwarded by
the broker, or direct under a lease) and serves snapshots to later joiners.

    /usr/bin/python3 examples/python-node/node.py --id py1

Needs pyzmq (Debian: apt-get install python3-zmq). Prints one JSON ready line on stdout once it
serves, logs to stderr, and unregisters on SIGINT or SIGTERM."""

import argparse
import json
import os
import re
import secrets
import signal
import sys
import time

import zmq

import wire
from answers import Answers
from replica import Replica
from snapshot_source import SnapshotSource
from store import wall_ms

DEFAULT_HEARTBEAT_MS = 500
LIVENESS = 3  # heartbeat intervals of broker silence before the node logs it (it goes on heartbeating)
BROKER_SILENCE_MS = 10_000  # broker silence before the node opens a new connection and registers again
SNAPSHOT_CREDIT = 8
SNAPSHOT_TIMEOUT_MS = 5000
HIGH_WATER_MARK = 100_000
MAX_MESSAGES_PER_TURN = 1000
NODE_ID = re.compile(r"^[A-Za-z0-9_.:-]{1,128}$")


def monotonic_ms():
    return time.monotonic() * 1000


class Node:
    def __init__(self, node_id, broker_endpoint, node_endpoint, log_level):
        self.id = node_id
        self.broker_endpoint = broker_endpoint
        self.verbose = log_level == "debug"
        self.context = zmq.Context()
        self.router = self._socket(zmq.ROUTER)
        self.router.bind(node_endpoint)
        self.endpoint = self.router.getsockopt_string(zmq.LAST_ENDPOINT)
        if self.endpoint.startswith("ipc://"):
            os.chmod(self.endpoint[len("ipc://") :], 0o600)
        self.broker = None
        self.source = None
        self.replica = Replica(self)
        self.snapshots = SnapshotSource(self.replica, self._to_peer, self.log)
        self.answers = Answers(self.replica, self.stats)
        self.heartbeat_ms = DEFAULT_HEARTBEAT_MS
        self.lease_until = float("-inf")
        self.last_broker_contact = 0.0
        self.broker_silent = False
        self.register_sent_at = float("-inf")
        self.last_source_activity = 0.0
        self.next_tick = monotonic_ms() + self.heartbeat_ms
        self.stopping = False
        self.exit_code = 0
        # Chosen once per process: a restart after a crash is told from a second process under this id (5.15).
        self.incarnation = secrets.token_hex(8)

    # ---- the loop --------------------------------------------------------------------------------

    def run(self):
        self._connect_broker()
        self.register("start")
        print(json.dumps({"event": "ready", "role": "node", "id": self.id, "endpoint": self.endpoint,
                          "broker": self.broker_endpoint, "pid": os.getpid()}), flush=True)
        self.log(f"node started: id {self.id}, endpoint {self.endpoint}, broker {self.broker_endpoint}")
        while not self.stopping:
            poller = zmq.Poller()
            handlers = {self.broker: self.from_broker, self.router: self.from_peer}
            if self.source is not None:
                handlers[self.source] = self.from_source
            for sock in handlers:
                poller.register(sock, zmq.POLLIN)
            wait = max(0, min(100, self.next_tick - monotonic_ms()))
            for sock, _ in poller.poll(wait):
                for _ in range(MAX_MESSAGES_PER_TURN):
                    # A handler may close or replace a socket; stop reading from a stale one. And let
                    # the heartbeat out on time, however much is waiting (a long join, say).
                    if sock not in (self.broker, self.router, self.source) or monotonic_ms() >= self.next_tick:
                        break
                    try:
                        frames = sock.recv_multipart(zmq.NOBLOCK)
                    except zmq.Again:
                        break
                    handlers[sock](frames)
            if monotonic_ms() >= self.next_tick:
                self.next_tick = monotonic_ms() + self.heartbeat_ms
                self.tick()
        self.close()

    def tick(self):
        now = monotonic_ms()
        silence = now - self.last_broker_contact
        limit = self.heartbeat_ms * LIVENESS
        state = self.replica.state
        if state == "registering":
            # Longer than a new broker's start-up wait, so a held registration is not sent twice.
            if now - self.register_sent_at > 2 * limit:
                self._connect_broker()
                self.register("no welcome from the broker")
        elif silence > BROKER_SILENCE_MS:
            self.log(f"broker silent for {round(silence)} ms; reconnecting", "warn")
            self._connect_broker()
            self.register("broker silent")
            return
        else:
            # A shorter silence (a broker paused by GC, VM steal or SIGSTOP) keeps the node in the cluster: it
            # goes on heartbeating on the same connection, and its lease runs out meanwhile. A broker that
            # restarted answers those heartbeats with ERR_UNKNOWN_NODE, and the node registers at once (5.4).
            self._note_broker_silence(silence > limit, silence)
            self.send_heartbeat()
        if self.replica.state == "joining" and now - self.last_source_activity > SNAPSHOT_TIMEOUT_MS:
            self.replica.fail_join("snapshot source did not answer in time")
        self.snapshots.sweep()

    def close(self):
        self.log("shutting down")
        # Stop serving reads in the same step as unregistering (5.9).
        self.router.close(0)
        self.to_broker(wire.unregister(self.id))
        self.broker.close(1000)
        if self.source is not None:
            self.source.close(0)
        self.context.term()

    # ---- the broker link -------------------------------------------------------------------------

    def register(self, reason):
        self.replica.unregistered()
        self.lease_until = float("-inf")
        self.register_sent_at = monotonic_ms()
        self.last_broker_contact = self.register_sent_at
        self.broker_silent = False
        if reason != "start":
            self.log(f"registering again: {reason}")
        epoch, seq = self.replica.registration()
        store = self.replica.store
        resume = self.replica.whole and epoch > 0
        self.to_broker(wire.register(self.id, self.incarnation, self.endpoint, epoch, seq, len(store), store.digest, resume))

    def _note_broker_silence(self, silent, silence):
        """Logs once when the broker falls silent, and once when it speaks again."""
        if silent == self.broker_silent:
            return
        self.broker_silent = silent
        if silent:
            self.log(f"broker silent for {round(silence)} ms; still heartbeating", "warn")
        else:
            self.log("broker heard again")

    def send_heartbeat(self):
        r = self.replica
        received, total = r.progress
        self.to_broker(wire.heartbeat(self.id, monotonic_ms(), r.epoch, r.position, len(r.store), r.store.digest,
                                      r.state == "ready", received, total))

    def from_broker(self, frames):
        message = self._decode(frames, "broker")
        if message is None:
            return
        self.last_broker_contact = monotonic_ms()
        kind, m = message
        if kind == wire.WRITES:
            self.replica.on_writes(m)
            if self.snapshots.streams:
                self.snapshots.pump()
        elif kind == wire.REQUEST:
            replies = self.answers.answer_all(m["ops"], self._not_ready)
            self.to_broker(wire.reply(replies))
        elif kind == wire.HEARTBEAT_ACK:
            self.replica.broker_clock.add_sample(m["brokerAt"], wall_ms())
            # Only a broker that holds this node ready grants a lease (leaseMs > 0).
            if m["epoch"] == self.replica.epoch and self.replica.state == "ready" and m["leaseMs"] > 0:
                self.lease_until = max(self.lease_until, m["sentAt"] + m["leaseMs"])
        elif kind == wire.WELCOME:
            self.heartbeat_ms = m["heartbeatMs"]
            self.replica.broker_clock.reset()
            self.answers.take_limits(m["limits"])
            self.replica.on_welcome(m)
            self.send_heartbeat()
        elif kind == wire.CATCH_UP:
            # This node does not catch up from the broker's backlog: ask for a full join instead (5.13).
            self.register_sent_at = monotonic_ms()
            self.to_broker(wire.join_failed(m["joinId"], "this node does not catch up from the backlog; join in full"))
        elif kind == wire.ERROR:
            # While a registration is in flight, this error is about a message sent before it.
            if m["code"] == "ERR_UNKNOWN_NODE":
                if self.replica.state != "registering":
                    self.register("the broker does not know this node")
            elif m["code"] == "ERR_NODE_ID_TAKEN" and self.replica.state == "registering":
                # A live node holds this id: stop rather than steal it back (5.15).
                self.log(f"the broker refused this node: {m['message']}", "error")
                self.exit_code = 1
                self.stopping = True
            else:
                self.log(f"error from the broker: {m['code']} {m['message']}", "warn")
        else:
            self.log(f"ignored an unexpected message of type {kind} from the broker", "warn")

    def to_broker(self, frame):
        self._send(self.broker, [frame], "broker")

    # ---- replica effects ---------------------------------------------------------------------------

    def start_snapshot(self, join_id, endpoint, min_seq):
        self.last_source_activity = monotonic_ms()
        self.source = self._socket(zmq.DEALER)
        self.source.connect(endpoint)
        self._send(self.source, [wire.snapshot_request(join_id, min_seq, SNAPSHOT_CREDIT)], "source")

    def stop_snapshot(self):
        if self.source is not None:
            self.source.close(0)
            self.source = None

    def resync(self, reason):
        self.log(f"resync: {reason}", "warn")
        self.register(reason)

    def caught_up(self):
        # Ask for a read lease now rather than a heartbeat from now.
        self.send_heartbeat()

    # ---- the snapshot source link (joining) --------------------------------------------------------

    def from_source(self, frames):
        message = self._decode(frames, "source")
        if message is None:
            return
        self.last_source_activity = monotonic_ms()
        kind, m = message
        if kind == wire.SNAPSHOT_BEGIN:
            self.replica.on_snapshot_begin(m)
        elif kind == wire.SNAPSHOT_CHUNK:
            if self.replica.on_snapshot_chunk(m):
                self._send(self.source, [wire.snapshot_credit(m["joinId"], 1)], "source")
        elif kind == wire.SNAPSHOT_END:
            self.replica.on_snapshot_end(m)
        elif kind == wire.ERROR:
            self.replica.fail_join(f"snapshot source refused: {m['code']} {m['message']}")
        else:
            self.log(f"ignored an unexpected message of type {kind} from the snapshot source", "warn")

    # ---- the node's own endpoint: joiners and direct clients ---------------------------------------

    def from_peer(self, frames):
        peer, body = frames[0], frames[1:]
        message = self._decode(body, "peer", peer)
        if message is None:
            return
        kind, m = message
        if kind == wire.SNAPSHOT_REQUEST:
            self.snapshots.on_request(peer, m)
        elif kind == wire.SNAPSHOT_CREDIT:
            self.snapshots.on_credit(peer, m)
        elif kind == wire.REQUEST:
            replies = self.answers.answer_direct(m["ops"], self._no_lease)
            self._to_peer(peer, wire.reply(replies))
        elif kind == wire.ERROR:
            self.log(f"error message from a peer: {m['code']} {m['message']}", "warn")
        else:
            self._to_peer(peer, wire.error("ERR_WRONG_ROLE", f"a node's endpoint does not accept message type {kind}"))

    def _to_peer(self, peer, frame):
        self._send(self.router, [peer, frame], "peer")

    # ---- reads -------------------------------------------------------------------------------------

    def _not_ready(self):
        if self.replica.state == "ready":
            return None
        return ("ERR_NOT_READY", f"node {self.id} is {self.replica.state}")

    def _no_lease(self):
        """Direct reads need a lease as well as ready (5.10)."""
        refused = self._not_ready()
        if refused is None and monotonic_ms() >= self.lease_until:
            refused = ("ERR_NO_LEASE", f"node {self.id} holds no read lease")
        return refused

    def stats(self):
        r = self.replica
        received, total = r.progress
        return {
            "id": self.id,
            "endpoint": self.endpoint,
            "state": r.state,
            "epoch": r.epoch,
            "seq": r.position,
            "keys": len(r.store),
            "digest": r.store.digest,
            "progress": {"received": received, "total": total},
            "lease": monotonic_ms() < self.lease_until,
            "snapshotsServing": len(self.snapshots.streams),
            "readsServed": self.answers.reads_served,
            "implementation": "python",
        }

    # ---- plumbing ----------------------------------------------------------------------------------

    def _socket(self, kind):
        sock = self.context.socket(kind)
        sock.setsockopt(zmq.LINGER, 0)
        sock.setsockopt(zmq.SNDHWM, HIGH_WATER_MARK)
        sock.setsockopt(zmq.RCVHWM, HIGH_WATER_MARK)
        return sock

    def _connect_broker(self):
        """A new DEALER: the broker knows a node by its connection, so a new one must register."""
        if self.broker is not None:
            self.broker.close(0)
        self.broker = self._socket(zmq.DEALER)
        self.broker.connect(self.broker_endpoint)

    def _send(self, sock, frames, to):
        try:
            sock.send_multipart(frames, zmq.NOBLOCK)
        except zmq.ZMQError as error:
            self.log(f"send to {to} failed: {error}", "debug")

    def _decode(self, frames, source, reply_to=None):
        """One frame per message; a frame that cannot be decoded is answered on the ROUTER (4.2) and
        only logged elsewhere."""
        try:
            if len(frames) != 1:
                raise wire.DecodeError("ERR_MALFORMED", f"expected 1 frame, got {len(frames)}")
            return wire.decode(frames[0])
        except wire.DecodeError as error:
            self.log(f"rejected a frame from the {source}: {error.code} {error}", "warn")
            if reply_to is not None:
                if error.op_ids:
                    replies = [(op_id, wire.TAG_ERROR, (error.code, str(error))) for op_id in error.op_ids]
                    self._to_peer(reply_to, wire.reply(replies))
                else:
                    self._to_peer(reply_to, wire.error(error.code, str(error)))
            return None

    def log(self, message, level="info"):
        if level == "debug" and not self.verbose:
            return
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime())
        print(f"{stamp} {level} [{self.id}] {message}", file=sys.stderr, flush=True)


def default_broker_endpoint():
    """The TypeScript default: broker.sock in $XDG_RUNTIME_DIR/brainer, /run/brainer (root), else /tmp/brainer-UID."""
    runtime = os.environ.get("XDG_RUNTIME_DIR", "")
    if runtime.startswith("/"):
        directory = os.path.join(runtime, "brainer")
    elif os.getuid() == 0:
        directory = "/run/brainer"
    else:
        directory = os.path.join(os.environ.get("TMPDIR") or "/tmp", f"brainer-{os.getuid()}")
    return f"ipc://{directory}/broker.sock"


def main():
    parser = argparse.ArgumentParser(description="A Brainer cache node in Python.")
    parser.add_argument("--broker", default=os.environ.get("BRAINER_BROKER") or default_broker_endpoint())
    parser.add_argument("--node-endpoint", default="tcp://127.0.0.1:*")
    parser.add_argument("--id", default=f"py-{secrets.token_hex(4)}")
    parser.add_argument("--log-level", default="info", choices=["error", "warn", "info", "debug"])
    args = parser.parse_args()
    if not NODE_ID.match(args.id):
        parser.error("--id must be 1-128 characters of A-Z a-z 0-9 _ . : -")
    node = Node(args.id, args.broker, args.node_endpoint, args.log_level)

    def stop(signum, _frame):
        node.stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    node.run()
    sys.exit(node.exit_code)


if __name__ == "__main__":
    main()
