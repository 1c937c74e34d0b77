import {
  addTally,
  heavyListings,
  hugeJsonFrames,
  openIdleConnections,
  oversizedForm,
  slowBody,
  startGateway,
  type AbuseTally,
} from '@brainer/test-utils';

/** What one burst of abuse did to a gateway, and what it answered. */
export interface GatewayAbuse {
  /** Idle connections opened, and how many the gateway closed (over its cap, or silent too long). */
  idleConnections: number;
  idleClosedByServer: number;
  /** Every answer, by HTTP status or JSON code (`closed`: closed unanswered; `timeout`: none in time). */
  answers: Record<string, number>;
  /** Whether the gateway still answered `GET /status` afterwards. */
  gatewayAnswered: boolean;
  burstMs: number;
}

const IDLE_CONNECTIONS = 500;
const LISTINGS = 10;
const FORMS = 10;
const FORM_BYTES = 47_000_000;
const JSON_FRAMES = 3;
const JSON_FRAME_BYTES = 90 * 1024 * 1024;
const SLOW_BODIES = 20;

/**
 * An abusive client of a gateway of its own (`run-gateway`, a client of the broker like any other):
 * idle connections, heavy listings, form bodies far over the value limit, JSON frames over the frame
 * cap and bodies sent a byte at a time, all at once. The broker must not notice.
 */
export async function abuseGateway(brokerEndpoint: string): Promise<GatewayAbuse> {
  const gateway = await startGateway({
    broker: brokerEndpoint,
    jsonEndpoint: 'tcp://127.0.0.1:*',
    args: ['--http-request-timeout-ms', '2000'],
    readyTimeoutMs: 30_000,
  });
  const base = gateway.readyLine.http!;
  const started = performance.now();
  const idle = openIdleConnections(base, IDLE_CONNECTIONS);
  try {
    const answers: AbuseTally = new Map();
    const [listings, forms, frames, slow] = await Promise.all([
      heavyListings(base, LISTINGS, 2),
      Promise.all(Array.from({ length: FORMS }, (_, i) => oversizedForm(base, `abuse/form/${i}`, FORM_BYTES))),
      hugeJsonFrames(gateway.readyLine.json!, JSON_FRAMES, JSON_FRAME_BYTES),
      Promise.all(Array.from({ length: SLOW_BODIES }, (_, i) => slowBody(base, `abuse/slow/${i}`, 500, 15_000))),
    ]);
    for (const part of [listings, forms, frames, slow]) addTally(answers, part);
    const gatewayAnswered = await fetch(`${base}/status`).then(
      (response) => response.ok,
      () => false,
    );
    return {
      idleConnections: IDLE_CONNECTIONS,
      idleClosedByServer: idle.closedByServer(),
      answers: Object.fromEntries(answers),
      gatewayAnswered,
      burstMs: Math.round(performance.now() - started),
    };
  } finally {
    idle.close();
    await gateway.stop();
  }
}
