import test from 'ava';
import { MemoryEngine } from '../src/index.js';
import { storageEngineContract } from './storage-engine-contract.js';

storageEngineContract(test, 'MemoryEngine', () => new MemoryEngine());
