#!/usr/bin/env node
'use strict';
// A pass runs in a process started with the allocator settings and heap it needs (bin/pass-process.js).
const passProcess = require('./pass-process.js');
if (!passProcess.relaunchAsPassProcess(__filename, process.argv.slice(2))) {
  passProcess.dieWithLauncher();
  // The CLI is TypeScript run through tsx's loader, so the repo needs no build step.
  require('tsx/cjs');
  // A month of baselines must fit a small scheduler box: keep the heap near its live size (cli/heap-growth.ts).
  require('../cli/heap-growth.ts').limitHeapGrowth();
  const { guardUnsettled } = require('../cli/unsettled-guard.ts');
  guardUnsettled(require('../cli/main.ts').main(process.argv.slice(2)))
    .then((code) => { process.exitCode = code; })
    .catch((err) => {
      process.stderr.write(`tierzero: ${err && err.message ? err.message : String(err)}\n`);
      process.exitCode = 3;
    });
}
