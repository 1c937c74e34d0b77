import { Flags } from '@oclif/core';

/** Where the metrics endpoint binds without --metrics-host: this host only. */
export const DEFAULT_METRICS_HOST = '127.0.0.1';

/** run-broker's and run-node's flags for the Prometheus endpoint. */
export const metricsFlags = {
  metrics: Flags.integer({
    description:
      'Serve Prometheus metrics at /metrics, and /health (200 serving, 503 not, with the state in JSON), on this TCP port (0 picks a free one; the ready line gives the URL).',
    min: 0,
    max: 65_535,
    helpValue: '<port>',
    helpGroup: 'METRICS',
  }),
  'metrics-host': Flags.string({
    description: 'Address the metrics endpoint binds. Default 127.0.0.1: this host only.',
    dependsOn: ['metrics'],
    helpValue: '<host>',
    helpGroup: 'METRICS',
  }),
};
