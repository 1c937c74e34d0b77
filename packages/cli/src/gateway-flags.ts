import { Flags } from '@oclif/core';
import { endpointFlag } from './endpoint-flag.js';

const gatewayGroup = { helpGroup: 'GATEWAYS' } as const;

/** The flags that say which gateways to serve: run-gateway's, and run-broker's, which starts run-gateway with them. */
export const gatewayFlags = {
  http: Flags.integer({
    description: 'Serve the HTTP REST gateway on this TCP port (0 picks a free one; the ready line gives the URL).',
    min: 0,
    max: 65_535,
    helpValue: '<port>',
    ...gatewayGroup,
  }),
  'http-host': Flags.string({
    description:
      'Address the HTTP gateway binds. Default 127.0.0.1: this host only. It asks for no key: anyone who reaches it reads and writes.',
    dependsOn: ['http'],
    helpValue: '<host>',
    ...gatewayGroup,
  }),
  'http-max-connections': Flags.integer({
    description:
      'Most HTTP connections open at once; more are closed at once. Default 1000, and never more than half the open-files limit (ulimit -n), so that ZeroMQ keeps descriptors.',
    dependsOn: ['http'],
    min: 1,
    ...gatewayGroup,
  }),
  'http-request-timeout-ms': Flags.integer({
    description:
      'How long a client has to send a whole HTTP request, body included, in ms; its headers get a third of it, at most 10000. 408 past it. Default 30000.',
    dependsOn: ['http'],
    min: 100,
    ...gatewayGroup,
  }),
  'status-interval-ms': Flags.integer({
    description:
      'How often the status page at / is refreshed, in ms: the gateway asks the broker for its nodes and figures once an interval while a page is open. Default 1000.',
    dependsOn: ['http'],
    min: 100,
    max: 3_600_000,
    ...gatewayGroup,
  }),
  'json-endpoint': endpointFlag({
    description: 'Serve JSON ops (PUT, GET_ONE, GET_ALL, DELETE) to plain ZeroMQ REQ sockets on this endpoint. It asks for no key.',
    ...gatewayGroup,
  }),
};

export interface GatewayFlags {
  http?: number;
  'http-host'?: string;
  'http-max-connections'?: number;
  'http-request-timeout-ms'?: number;
  'status-interval-ms'?: number;
  'json-endpoint'?: string;
}

export function wantsGateways(flags: GatewayFlags): boolean {
  return flags.http !== undefined || flags['json-endpoint'] !== undefined;
}

/** The gateway flags as run-gateway's arguments. */
export function gatewayArgs(flags: GatewayFlags): string[] {
  return Object.entries(flags).flatMap(([name, value]) =>
    name in gatewayFlags && value !== undefined ? [`--${name}`, String(value)] : [],
  );
}
