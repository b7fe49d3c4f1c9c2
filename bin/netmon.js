#!/usr/bin/env node
// Entry point of the `netmon` command: runs the compiled CLI (`npm run build` makes dist/).
import { main } from '../dist/src-main/cli/main.js';

process.exitCode = await main(process.argv.slice(2));
