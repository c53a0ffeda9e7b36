import type { TableSpec } from '../../state/keyed-table';
import type { SavedReader } from '../../state/saved-value';
import { decodeAccount, decodeOrigin, encodeAccount, encodeOrigin } from '../../state/saved-events';
import type { RecentLogon, Touch } from './evidence';
import { MAX_LOGONS, MAX_PENDING, MAX_REMOTE_PIDS, MAX_TOUCHES, MAX_WMI_PIDS, type Action, type HostState, type Method } from './host-state';

/**
 * remote_code_execution's per-target memory (host-state.ts) as a keyed table row (issue 13,
 * item 2). The row is a tuple
 * `[lastSeen, touches, logons, [pid, time, …], remotePids | null, pending, [source|account, times, …]]`,
 * each piece of evidence a tuple too: a touch `[kind, origin, account, ip, workstation, logonId, file]`,
 * a logon `[origin, account, ip, workstation, logonId]`, a parked action
 * `[method, target, what, origin, details, account, sid, logonId]` (null for absent). Version 4
 * saved every remembered 4624 whole, with its field names: most of the section's bytes.
 *
 * The table lives for the state TTL: the WmiPrvSE and remote process ids have no time of their
 * own to expire by; the evidence is cut to its correlation window by the detector's evictIdle.
 */
export const hostTable: TableSpec<HostState> = {
  name: 'hosts',
  lastSeen: (h) => h.lastSeen,
  encode: (h) => [
    h.lastSeen, h.touches.map(encodeTouch), h.logons.map(encodeLogon), h.wmiPids.flatMap((p) => [p.pid, p.time]),
    h.remotePids ?? null, h.pending.map(encodeAction), Object.entries(h.scmOpens).flat(),
  ],
  decode(v, read, path) {
    const [lastSeen, touches, logons, wmiPids, remotePids, pending, scmOpens] = read.tuple(v, path, 7);
    const num = (x: unknown, p: string): number => read.number(x, p);
    const h: HostState = {
      lastSeen: read.number(lastSeen, `${path}.0`),
      touches: read.list(touches, `${path}.1`, MAX_TOUCHES, (x, p) => decodeTouch(x, read, p)),
      logons: read.list(logons, `${path}.2`, 2 * MAX_LOGONS, (x, p) => decodeLogon(x, read, p)),
      wmiPids: read.pairs(wmiPids, `${path}.3`, MAX_WMI_PIDS, num, num).map(([pid, time]) => ({ pid, time })),
      pending: read.list(pending, `${path}.5`, MAX_PENDING, (x, p) => decodeAction(x, read, p)),
      scmOpens: Object.fromEntries(read.pairs(scmOpens, `${path}.6`, MAX_SAVED_SCM_KEYS, (x, p) => read.string(x, p), (x, p) => read.list(x, p, MAX_SAVED_SCM_TIMES, num))),
    };
    const pids = read.optional(remotePids, `${path}.4`, (x, p) => read.list(x, p, MAX_REMOTE_PIDS, num));
    if (pids) h.remotePids = pids;
    return h;
  },
};

// countScmOpen keeps the keys at 64 while any is stale and the times at scmBurst × 10, neither
// a hard bound: restore only refuses what no run could have written.
const MAX_SAVED_SCM_KEYS = 10_000;
const MAX_SAVED_SCM_TIMES = 100_000;

const TOUCH_KINDS: ReadonlySet<string> = new Set<Touch['kind']>(['scm', 'tasks', 'staged', 'logon']);
const METHODS: ReadonlySet<string> = new Set<Method>(['service', 'task', 'wmi', 'winrm', 'session_process', 'staged_service', 'scm_burst']);

function encodeTouch(t: Touch): unknown {
  return [t.kind, encodeOrigin(t.origin), encodeAccount(t.account), t.ip ?? null, t.workstation ?? null, t.logonId ?? null, t.file ?? null];
}

function decodeTouch(v: unknown, read: SavedReader, path: string): Touch {
  const [kind, origin, account, ip, workstation, logonId, file] = read.tuple(v, path, 7);
  const k = read.string(kind, `${path}.0`);
  if (!TOUCH_KINDS.has(k)) read.fail(`${path}.0`, `must be one of ${[...TOUCH_KINDS].join(', ')}, is ${JSON.stringify(k)}`);
  const o = decodeOrigin(origin, read, `${path}.1`);
  return {
    kind: k as Touch['kind'], time: o.time, origin: o, account: decodeAccount(account, read, `${path}.2`),
    ...optionalStrings(read, path, { ip: [ip, 3], workstation: [workstation, 4], logonId: [logonId, 5], file: [file, 6] }),
  };
}

function encodeLogon(l: RecentLogon): unknown {
  return [encodeOrigin(l), encodeAccount(l.account), l.ip ?? null, l.workstation ?? null, l.logonId ?? null];
}

function decodeLogon(v: unknown, read: SavedReader, path: string): RecentLogon {
  const [origin, account, ip, workstation, logonId] = read.tuple(v, path, 5);
  return {
    ...decodeOrigin(origin, read, `${path}.0`), account: decodeAccount(account, read, `${path}.1`),
    ...optionalStrings(read, path, { ip: [ip, 2], workstation: [workstation, 3], logonId: [logonId, 4] }),
  };
}

function encodeAction(a: Action): unknown {
  // A detail the event did not give is undefined in memory and absent when saved, whether or not the store goes through JSON.
  const details = Object.fromEntries(Object.entries(a.details).filter(([, x]) => x !== undefined));
  return [a.method, a.target, a.what, encodeOrigin(a.origin), details, a.account ? encodeAccount(a.account) : null, a.sid ?? null, a.logonId ?? null];
}

function decodeAction(v: unknown, read: SavedReader, path: string): Action {
  const [method, target, what, origin, details, account, sid, logonId] = read.tuple(v, path, 8);
  const m = read.string(method, `${path}.0`);
  if (!METHODS.has(m)) read.fail(`${path}.0`, `must be one of ${[...METHODS].join(', ')}, is ${JSON.stringify(m)}`);
  const d = read.record(details, `${path}.4`);
  for (const [k, x] of Object.entries(d)) {
    if (typeof x !== 'string' && typeof x !== 'number' && typeof x !== 'boolean') read.fail(`${path}.4.${k}`, `must be a string, number or boolean, is ${JSON.stringify(x)}`);
  }
  const a = read.optional(account, `${path}.5`, (x, p) => decodeAccount(x, read, p));
  return {
    method: m as Method, target: read.string(target, `${path}.1`), what: read.string(what, `${path}.2`),
    origin: decodeOrigin(origin, read, `${path}.3`), details: d, ...(a ? { account: a } : {}),
    ...optionalStrings(read, path, { sid: [sid, 6], logonId: [logonId, 7] }),
  };
}

/** The present ones of a tuple's optional strings (null for absent), by field name: `{ip: [value, index]}`. */
function optionalStrings<K extends string>(read: SavedReader, path: string, fields: Record<K, [unknown, number]>): Partial<Record<K, string>> {
  const out: Partial<Record<K, string>> = {};
  for (const [name, [value, index]] of Object.entries(fields) as [K, [unknown, number]][]) {
    const s = read.optional(value, `${path}.${index}`, (x, p) => read.string(x, p));
    if (s !== undefined) out[name] = s;
  }
  return out;
}
