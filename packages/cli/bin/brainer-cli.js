#!/usr/bin/env node
import process from 'node:process';
import { execute } from '@oclif/core';
import { binArgs, binDone } from '../dist/src/bin-support.js';

await execute({ dir: import.meta.url, args: binArgs('brainer-cli', process.argv.slice(2)) });
binDone();
