import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** What the gateway's families read when scraped. */
export interface GatewayMetricsSource {
  /** Request body bytes held of the in-flight budget. */
  inFlightBytes(): number;
}

/** Methods counted under their own name; any other is `other`, so a client cannot grow the label set. */
const METHODS = new Set(['GET', 'HEAD', 'PUT', 'DELETE', 'POST', 'PATCH', 'OPTIONS']);

/** Request latency buckets, in seconds: 100 µs to 30 s (the default request timeout). */
const LATENCY_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/**
 * The HTTP gateway's `brainer_gateway_*` families on a prom-client registry. HTTP requests cost far
 * more than a label lookup, so prom-client's labelled children are used as they are.
 */
export class GatewayMetrics {
  private readonly requests: Counter<'method' | 'status'>;
  private readonly latency: Histogram<'method'>;
  private readonly refusals: Counter<'code'>;
  private readonly connectionsRefused: Counter;
  private inFlight = 0;
  private connections = 0;

  constructor(registry: Registry, source: GatewayMetricsSource) {
    const registers = [registry];
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- prom-client calls collect() with the metric as `this`
    const self = this;
    this.requests = new Counter({
      name: 'brainer_gateway_http_requests_total',
      help: 'HTTP requests answered, by method and status class (2xx, 4xx, ...).',
      labelNames: ['method', 'status'],
      registers,
    });
    this.latency = new Histogram({
      name: 'brainer_gateway_http_request_duration_seconds',
      help: 'From a request arriving to its response sent, by method; event streams (/status/events) are not timed.',
      labelNames: ['method'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.refusals = new Counter({
      name: 'brainer_gateway_http_refusals_total',
      help: 'Requests answered with an error, by the code of its JSON body (ERR_BACKPRESSURE, ERR_VALUE_TOO_LARGE, ERR_NOT_FOUND, ...).',
      labelNames: ['code'],
      registers,
    });
    this.connectionsRefused = new Counter({
      name: 'brainer_gateway_http_connections_refused_total',
      help: 'Connections closed as soon as they were accepted, past the connection cap.',
      registers,
    });
    new Gauge({
      name: 'brainer_gateway_http_requests_in_flight',
      help: 'Requests received and not yet answered, event streams included.',
      registers,
      collect() {
        this.set(self.inFlight);
      },
    });
    new Gauge({
      name: 'brainer_gateway_http_in_flight_bytes',
      help: 'Request body bytes held of the in-flight budget (by Content-Length; a chunked body counts as the largest allowed).',
      registers,
      collect() {
        this.set(source.inFlightBytes());
      },
    });
    new Gauge({
      name: 'brainer_gateway_http_connections',
      help: 'Open HTTP connections.',
      registers,
      collect() {
        this.set(self.connections);
      },
    });
  }

  connectionOpened(): void {
    this.connections++;
  }

  connectionClosed(): void {
    this.connections--;
  }

  connectionRefused(): void {
    this.connectionsRefused.inc();
  }

  requestStarted(): void {
    this.inFlight++;
  }

  /** A request answered (or abandoned) with this status; `seconds` is undefined for a stream. */
  requestFinished(method: string, status: number, seconds: number | undefined): void {
    this.inFlight--;
    const label = METHODS.has(method) ? method : 'other';
    this.requests.labels(label, `${Math.floor(status / 100)}xx`).inc();
    if (seconds !== undefined) this.latency.labels(label).observe(seconds);
  }

  /** An error answered with this code, whether to a request or to bad bytes before one. */
  refused(code: string): void {
    this.refusals.labels(code).inc();
  }
}
