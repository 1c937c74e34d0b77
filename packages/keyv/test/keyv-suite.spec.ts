import keyvTestSuite from '@keyv/test-suite';
import { Brainer } from '@brainer/client';
import Keyv from 'keyv';
import * as vitest from 'vitest';
import KeyvBrainer from '../src/index.js';

// Keyv's compliance suite (its API, value and namespace tests) on a live cluster. It makes a store
// per test; they share one client. Keyv iterates only the stores of its own dialects, so the
// store's iterator is tested directly, in keyv-brainer.spec.ts.
const client = new Brainer(vitest.inject('brokerEndpoint'), { timeoutMs: 10_000 });
vitest.afterAll(() => client.close());

keyvTestSuite(vitest, Keyv, () => new KeyvBrainer(client));
