#!/usr/bin/env node
'use strict';
// The CLI is TypeScript run through tsx's loader, so the repo needs no build step.
require('tsx/cjs');
const { guardUnsettled } = require('../cli/unsettled-guard.ts');
guardUnsettled(require('../cli/main.ts').main(process.argv.slice(2)))
  .then((code) => { process.exitCode = code; })
  .catch((err) => {
    process.stderr.write(`tierzero: ${err && err.message ? err.message : String(err)}\n`);
    process.exitCode = 3;
  });
