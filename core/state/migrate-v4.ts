import { isJsonRecord, type JsonRecord } from './json-record';
import { migrateV4Section } from './migrate-v4-detectors';
import { migrateV4Directory } from './migrate-v4-directory';
import { migrateV4Kerberos } from './migrate-v4-kerberos';
import { migrateV4Accounts } from './migrate-v4-accounts';
import { migrateV4Tgts } from './migrate-v4-tgts';

/**
 * Version 4 → 5 (issue 13): shared facts in compact tables, detectors keep only verdict state.
 * Each part of the change migrates its own part of the document, in its own module, and is
 * listed here once, in order; every step reads and returns a whole document and leaves the
 * version to this function. A step meets a part of the wrong shape and carries it as it is:
 * the schema and the validated restores then refuse it naming the key; nothing is guessed.
 */
const STEPS: readonly ((doc: JsonRecord) => JsonRecord)[] = [
  migrateDetectorSections,
  migrateV4Directory,
  migrateV4Kerberos,
  migrateV4Accounts,
  migrateV4Tgts,
];

export function migrateV4(doc: Record<string, unknown>): Record<string, unknown> {
  let current: JsonRecord = doc;
  for (const step of STEPS) current = step(current);
  return { ...current, version: 5 };
}

/** The detectors converted to keyed tables (core/state/migrate-v4-detectors.ts), each section on its own. */
function migrateDetectorSections(doc: JsonRecord): JsonRecord {
  const detectors = doc['detectors'];
  if (!isJsonRecord(detectors)) return doc;
  const migrated: JsonRecord = {};
  for (const [id, section] of Object.entries(detectors)) migrated[id] = migrateV4Section(id, section);
  return { ...doc, detectors: migrated };
}
