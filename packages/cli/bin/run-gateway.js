#!/usr/bin/env node
import process from 'node:process';
import { runBin } from '../dist/src/bin-support.js';

await runBin('run-gateway', import.meta.url, process.argv.slice(2));
