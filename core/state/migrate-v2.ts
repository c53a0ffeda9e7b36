import { isJsonRecord, type JsonRecord } from './json-record';

/**
 * Version 2 → 3 (issue 13, item 1): golden_ticket's TGT table (account → last TGT time) and
 * pass_the_ticket's TGT addresses per account, with the coverage tracker each kept, became one
 * Kerberos ledger at the top of the state (core/estate/kerberos-ledger.ts). Every TGT is carried
 * over, so neither detector goes blind for a ticket lifetime after the upgrade; a version 2
 * state has no DC, etype or pre-auth per TGT, so those read as unknown (0). Sections of the wrong
 * shape are left for the ledger's and the detectors' restore to refuse, naming the key.
 */
export function migrateV2(doc: Record<string, unknown>): Record<string, unknown> {
  const detectors = isJsonRecord(doc['detectors']) ? { ...doc['detectors'] } : doc['detectors'];
  if (!isJsonRecord(detectors)) return { ...doc, version: 3 };
  const golden = isJsonRecord(detectors['golden_ticket']) ? { ...detectors['golden_ticket'] } : undefined;
  const ptt = isJsonRecord(detectors['pass_the_ticket']) ? { ...detectors['pass_the_ticket'] } : undefined;
  const strings: string[] = [];
  const ids = new Map<string, number>();
  const intern = (s: string): number => {
    let id = ids.get(s);
    if (id === undefined) {
      strings.push(s);
      id = strings.length;
      ids.set(s, id);
    }
    return id;
  };
  /** account → (ip id → latest time) */
  const byAccount = new Map<string, Map<number, number>>();
  const add = (account: string, ip: number, time: unknown): void => {
    if (typeof time !== 'number' || !Number.isFinite(time)) return;
    const a = byAccount.get(account) ?? new Map<number, number>();
    byAccount.set(account, a);
    if ((a.get(ip) ?? -Infinity) < time) a.set(ip, time);
  };
  if (golden && isJsonRecord(golden['tgts'])) {
    for (const [account, time] of Object.entries(golden['tgts'])) add(account, 0, time);
  }
  if (ptt && isJsonRecord(ptt['accounts'])) {
    const accounts: Rec = {};
    for (const [account, record] of Object.entries(ptt['accounts'])) {
      if (!isJsonRecord(record)) {
        accounts[account] = record;
        continue;
      }
      const { tgts, ...verdict } = record;
      if (Array.isArray(tgts)) for (const t of tgts) if (isJsonRecord(t) && typeof t['ip'] === 'string') add(account, intern(t['ip']), t['time']);
      // An account kept only for its TGTs is now the ledger's alone.
      if (verdict['forwardedAt'] !== undefined || (verdict['roaming'] !== undefined && verdict['roaming'] !== 0)) accounts[account] = verdict;
    }
    ptt['accounts'] = accounts;
  }
  const keys = [...byAccount.keys()];
  const tgts = keys.map((k) => [...(byAccount.get(k) as Map<number, number>)]
    .sort((x, y) => y[1] - x[1]).slice(0, 8)
    .flatMap(([ip, time]) => [ip, time, 0, 0, 0, 0]));
  const coverage = pickCoverage(golden?.['coverage'], ptt?.['coverage']);
  if (golden) {
    delete golden['tgts'];
    delete golden['coverage'];
    detectors['golden_ticket'] = golden;
  }
  if (ptt) {
    delete ptt['coverage'];
    detectors['pass_the_ticket'] = ptt;
  }
  const kerberos = golden || ptt ? { strings, keys, tgts, coverage } : null;
  return { ...doc, version: 3, detectors, kerberos };
}

type Rec = JsonRecord;

/** Both trackers saw the same events when both detectors ran; the one that began first covers more. */
function pickCoverage(a: unknown, b: unknown): unknown {
  if (!isJsonRecord(a)) return isJsonRecord(b) ? b : {};
  if (!isJsonRecord(b)) return a;
  const start = (c: Rec): number => (typeof c['start'] === 'number' ? c['start'] : Infinity);
  return start(b) < start(a) ? b : a;
}
