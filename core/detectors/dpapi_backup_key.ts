import { accountKey, hostKey, isLoopback, isMachineAccount, type Account } from '../events/fields';
import type { DirectoryObjectAccess, EventOrigin, IdentityEvent, ShareAccess } from '../events/identity-event';
import { HOUR, type DetectionContext, type Detector, type DetectorDeclaration, type DetectorModule } from './detector';
import { accountEntity, hostEntity, present, qualified } from '../alerts/entities';
import { SYSTEM_SIDS } from '../estate/well-known-sids';
import { and, anyOf, bits, contains, not, security, type NativeQuery } from '../rules/tree';
import { originOf } from '../alerts/evidence';
import { KeyedTable, type TableSpec } from '../state/keyed-table';
import { openSection } from '../state/saved-value';
import { decodeOrigin, encodeOrigin } from '../state/saved-events';

/**
 * DPAPI domain backup key theft: the DC keeps the domain's DPAPI backup private key in the LSA
 * secrets `G$BCKUPKEY_PREFERRED`, `G$BCKUPKEY_P` and `G$BCKUPKEY_<guid>`. Clients never read
 * them — they use MS-BKRP, where the DC itself applies the key — so a principal querying those
 * secrets over LSARPC (mimikatz `lsadump::backupkeys`, SharpDPAPI `backupkey`, impacket
 * `dpapi.py backupkeys`) is stealing the key that decrypts every user's DPAPI secrets. The DC
 * audits it as 4662 (ObjectServer LSA, SecretObject, AccessMask 0x2 SECRET_QUERY_VALUE).
 *
 * 5145 on IPC$ `lsarpc` / `protected_storage` is not alerted on by itself: every domain member
 * talks MS-BKRP over `protected_storage` whenever a master key is created. It is kept briefly to
 * name the source of a 4662 whose logon (4624) was not collected.
 */

const SECRET_QUERY_VALUE = 0x2; // MS-LSAD 2.2.1.1.4
/** LSA secrets G$BCKUPKEY_PREFERRED, G$BCKUPKEY_P and G$BCKUPKEY_<guid>. */
const BACKUP_KEY_SECRET = 'G$BCKUPKEY_';
const LSA_OBJECT_SERVER = 'LSA';

/** The query itself: the engine adds the source, traced through the logon session or the pipe. */
const backupKeyQuery: NativeQuery = {
  name: 'secret-query',
  match: [{
    source: security(4662),
    where: and(anyOf('ObjectServer', [LSA_OBJECT_SERVER]), contains('ObjectName', BACKUP_KEY_SECRET), bits('AccessMask', SECRET_QUERY_VALUE), not(anyOf('SubjectUserSid', [...SYSTEM_SIDS]))),
  }],
  outputs: [{ name: 'user', fields: ['SubjectUserName'] }, { name: 'dest', fields: ['Computer'] }, { name: 'object', fields: ['ObjectName'] }],
  riskObject: 'user',
};
const PIPES = new Set(['lsarpc', 'protected_storage']);
const PIPE_MEMORY_MS = HOUR;
const MAX_PIPE_SESSIONS = 10_000;

export const declaration: DetectorDeclaration = {
  id: 'dpapi_backup_key',
  title: 'DPAPI domain backup key read from a domain controller',
  summary: 'A principal queried the LSA secrets holding the DPAPI domain backup key (4662 on G$BCKUPKEY_* SecretObject with SECRET_QUERY_VALUE), traced to its source through the logon session or the lsarpc/protected_storage pipe (5145).',
  severity: 'high',
  mitre: { tactics: ['credential-access'], techniques: ['T1555', 'T1552.004'] },
  requires: [{
    channel: 'Security', eventIds: [4662],
    fields: ['ObjectServer', 'ObjectType', 'ObjectName', 'AccessMask', 'SubjectUserName', 'SubjectLogonId'],
    auditPolicy: 'Audit Directory Service Access (Success) on DCs: also audits LSA policy secret objects',
  }, {
    channel: 'Security', eventIds: [5145],
    fields: ['ShareName', 'RelativeTargetName', 'IpAddress', 'SubjectLogonId'],
    auditPolicy: 'Audit Detailed File Share (Success) on DCs: names the source of the lsarpc / protected_storage call',
  }, {
    channel: 'Security', eventIds: [4624],
    fields: ['TargetLogonId', 'IpAddress', 'WorkstationName'],
    auditPolicy: 'Audit Logon (Success) on DCs: traces the request to its source address',
  }],
  consumes: ['directory_object_access', 'share_access'],
  falsePositives: [
    'An approved AD security assessment tool that exports the backup key: exclude its account or host for this detector.',
  ],
  thresholds: {},
  learningPeriodDays: 0,
  bucketHours: 24,
  recommendations: [
    'Treat every DPAPI-protected secret of every domain user (saved passwords, browser credentials, certificates\' private keys) as exposed.',
    'Isolate the source machine and reset the actor\'s credentials; the actor held Domain Admin-level rights.',
    'The backup key cannot be rotated in place: follow Microsoft\'s guidance to create a new DPAPI backup key and re-protect master keys.',
  ],
  native: { kind: 'detector', queries: [backupKeyQuery] },
};

interface PipeSession {
  ip: string;
  pipe: string;
  time: number;
  event: EventOrigin;
}

/**
 * `host|logonId` → the last lsarpc/protected_storage pipe open in that session. A pipe is read
 * only within PIPE_MEMORY_MS of its opening, so that is the table's horizon: kept for the state
 * TTL, 10,000 idle sessions were 1.5 MB of the 1 M-event state for nothing.
 */
const pipeTable: TableSpec<PipeSession> = {
  name: 'pipes',
  horizonMs: PIPE_MEMORY_MS,
  lastSeen: (p) => p.time,
  encode: (p) => [p.time, p.ip, p.pipe, encodeOrigin(p.event)],
  decode(v, read, path) {
    const [time, ip, pipe, event] = read.tuple(v, path, 4);
    return { time: read.number(time, `${path}.0`), ip: read.string(ip, `${path}.1`), pipe: read.string(pipe, `${path}.2`), event: decodeOrigin(event, read, `${path}.3`) };
  },
};

export const dpapiBackupKey: DetectorModule = {
  declaration,
  create: (_settings, saved) => new DpapiBackupKeyDetector(saved),
};

class DpapiBackupKeyDetector implements Detector {
  readonly declaration = declaration;
  private readonly pipes: KeyedTable<PipeSession>;

  constructor(saved: unknown) {
    const { read, section } = openSection('dpapi_backup_key', saved);
    this.pipes = new KeyedTable(pipeTable, section['pipes'], read);
  }

  handle(ev: IdentityEvent, ctx: DetectionContext): void {
    if (ev.kind === 'share_access') this.rememberPipe(ev);
    else if (ev.kind === 'directory_object_access' && isBackupKeyQuery(ev)) this.backupKeyRead(ev, ctx);
  }

  private backupKeyRead(ev: DirectoryObjectAccess, ctx: DetectionContext): void {
    const actor = ev.subject;
    if (!actor || isDomainControllerItself(actor, ctx)) return;
    const session = ev.logonId ? ctx.directory.logonSession(ev.host, ev.logonId) : undefined;
    const recent = ev.logonId ? this.pipes.get(`${hostKey(ev.host)}|${ev.logonId}`) : undefined;
    const pipe = recent && ev.time - recent.time <= PIPE_MEMORY_MS ? recent : undefined;
    const ip = usable(session?.ip) ?? usable(pipe?.ip);
    const from = ip ?? session?.workstation;
    const secret = secretName(ev.objectPath ?? '');
    ctx.emit({
      keys: [accountKey(actor), from ?? ''],
      severity: 'high',
      description: `${who(actor)}${from ? ` from ${from}` : ''} read the LSA secret ${secret} on ${ev.host}${pipe ? ` over the ${pipe.pipe} pipe` : ''}: `
        + 'this is the DPAPI domain backup key, which decrypts the DPAPI master keys of every domain user. Windows clients never read it; only key-extraction tools do.',
      accounts: [accountEntity(actor, 'actor')],
      hosts: present([hostEntity('source', session?.workstation, ip), hostEntity('target', ev.host)]),
      events: pipe ? [ev, pipe.event] : [ev],
      details: { secret, accessMask: `0x${(ev.accessMask ?? 0).toString(16)}`, ...(pipe ? { pipe: pipe.pipe } : {}) },
    });
  }

  private rememberPipe(ev: ShareAccess): void {
    if (!ev.relativeTarget || !ev.logonId || !ev.ip) return;
    const pipe = ev.relativeTarget.toLowerCase();
    if (!PIPES.has(pipe) || !/IPC\$$/i.test(ev.shareName)) return;
    const key = `${hostKey(ev.host)}|${ev.logonId}`;
    this.pipes.touch(key, { ip: ev.ip, pipe, time: ev.time, event: originOf(ev) });
    this.pipes.capTo(MAX_PIPE_SESSIONS);
  }

  snapshot(): unknown {
    return { pipes: this.pipes.snapshot() };
  }

  evictIdle(before: number, watermark?: number): void {
    this.pipes.evict(before, watermark);
  }
}

function isBackupKeyQuery(ev: DirectoryObjectAccess): boolean {
  // Directory (DS) objects are named by GUID and carry no path: they leave at the first test.
  return ev.objectPath !== undefined && ev.objectPath.toUpperCase().includes(BACKUP_KEY_SECRET)
    && ev.accessMask !== undefined && (ev.accessMask & SECRET_QUERY_VALUE) !== 0
    && ev.objectServer?.toUpperCase() === LSA_OBJECT_SERVER;
}

/** The DC's own LSA and SYSTEM services touch the secret when they serve MS-BKRP; nobody else does. */
function isDomainControllerItself(actor: Account, ctx: DetectionContext): boolean {
  return (actor.sid !== undefined && SYSTEM_SIDS.has(actor.sid)) || ctx.directory.isDomainControllerAccount(actor);
}

function usable(ip: string | undefined): string | undefined {
  return ip && !isLoopback(ip) ? ip : undefined;
}

function secretName(path: string): string {
  const slash = path.lastIndexOf('\\');
  return slash >= 0 ? path.slice(slash + 1) : path;
}

function who(actor: Account): string {
  return isMachineAccount(actor) ? `The machine account ${qualified(actor)}` : qualified(actor);
}
