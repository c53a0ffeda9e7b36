import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DECLARATIONS } from '../core/detectors/registry';
import { detectorTable, MARKERS, replaceSection, thresholdTable } from './readme-tables';

/** `npm run docs`: regenerates the README's detector and threshold tables from the declarations. */
const path = join(__dirname, '..', 'README.md');
let doc = readFileSync(path, 'utf8');
doc = replaceSection(doc, MARKERS.detectors, detectorTable(DECLARATIONS));
doc = replaceSection(doc, MARKERS.thresholds, thresholdTable(DECLARATIONS));
writeFileSync(path, doc);
process.stdout.write(`README.md: ${DECLARATIONS.length} detectors documented\n`);
