import type { Severity } from '../alerts/alert';
import { accountKey, hostKey } from '../events/fields';
import type { IdentityEvent, LogCleared } from '../events/identity-event';
import { HOUR, type DetectionContext, type Detector, type DetectorDeclaration, type DetectorModule } from './detector';
import { accountEntity, hostEntity, present, qualified } from '../alerts/entities';
import { originOf } from '../alerts/evidence';
import { anyOf, security, system, type NativeQuery } from '../rules/tree';
import { KeyedTable, type TableSpec } from '../state/keyed-table';
import { openSection } from '../state/saved-value';

/**
 * Event log clearing (T1070.001): the Eventlog service writes 1102 into the Security log when it
 * is cleared, and 104 into the System log when any log is (MS docs "1102(S): The audit log was
 * cleared"). An intruder clears logs to erase what they did; admins almost never need to, since
 * logs roll over by size. Only the Eventlog provider's 104 is a clear: other providers write
 * unrelated 104s (the normaliser drops them). Clears of several logs by one account on one host
 * are one alert, naming every log cleared.
 */
export const EVENTLOG_PROVIDERS = ['Microsoft-Windows-Eventlog', 'Eventlog'];

const cleared: NativeQuery = {
  name: 'log-cleared',
  match: [
    { source: security(1102), where: anyOf('Provider', EVENTLOG_PROVIDERS) },
    { source: system(104), where: anyOf('Provider', EVENTLOG_PROVIDERS) },
  ],
  outputs: [{ name: 'user', fields: ['SubjectUserName'] }, { name: 'dest', fields: ['Computer'] }, { name: 'object', fields: ['EventData_Channel', 'Channel'] }],
  riskObject: 'user',
};

/** Clears by one account on one host within this span tell one story. */
const STORY_MS = HOUR;
const MAX_LOGS_NAMED = 30;

export const declaration: DetectorDeclaration = {
  id: 'security_log_cleared',
  title: 'Windows event log cleared',
  summary: 'The Security log (1102) or another event log (System 104 from the Microsoft-Windows-Eventlog provider) was cleared; high on a domain controller or tier-0 host.',
  severity: 'high',
  mitre: { tactics: ['defense-evasion'], techniques: ['T1070.001'] },
  requires: [{
    channel: 'Security', eventIds: [1102],
    fields: ['SubjectUserName', 'SubjectDomainName', 'SubjectUserSid', 'SubjectLogonId'],
    auditPolicy: 'Always written by the Eventlog service when the Security log is cleared (no audit policy needed); collect the Security log',
  }, {
    channel: 'System', eventIds: [104],
    fields: ['Provider', 'SubjectUserName', 'SubjectDomainName', 'Channel', 'BackupPath'],
    auditPolicy: 'Always written by the Eventlog service to the System log when any log is cleared; collect the System log with its Provider field',
  }],
  consumes: ['log_cleared'],
  falsePositives: [
    'A documented cleanup during imaging or a lab reset: exclude the host or the account for this detector.',
  ],
  thresholds: {},
  learningPeriodDays: 0,
  bucketHours: 24,
  recommendations: [
    'Ask the account\'s owner whether they cleared the log; if not, treat the account as compromised.',
    'Recover what the log held from the SIEM (events forwarded before the clear) and review the hour before it.',
    'Restrict who holds "Manage auditing and security log" (SeSecurityPrivilege) on the host.',
  ],
  native: { kind: 'detector', queries: [cleared] },
};

/** The recent clears by one account on one host (`host|account`). */
interface Story {
  logs: string[];
  clears: number;
  first: number;
  last: number;
  backups: string[];
}

const MAX_BACKUPS = 3;

/** `[last, first, clears, logs, backups]`, kept for STORY_MS: a later clear starts a new story. */
const storyTable: TableSpec<Story> = {
  name: 'stories',
  horizonMs: STORY_MS,
  lastSeen: (s) => s.last,
  encode: (s) => [s.last, s.first, s.clears, s.logs, s.backups],
  decode(v, read, path) {
    const [last, first, clears, logs, backups] = read.tuple(v, path, 5);
    const str = (x: unknown, p: string): string => read.string(x, p);
    return {
      last: read.number(last, `${path}.0`), first: read.number(first, `${path}.1`), clears: read.count(clears, `${path}.2`),
      logs: read.list(logs, `${path}.3`, MAX_LOGS_NAMED, str), backups: read.list(backups, `${path}.4`, MAX_BACKUPS, str),
    };
  },
};

export const securityLogCleared: DetectorModule = {
  declaration,
  create: (_settings, saved) => new LogClearedDetector(saved),
};

class LogClearedDetector implements Detector {
  readonly declaration = declaration;
  private readonly stories: KeyedTable<Story>;

  constructor(saved: unknown) {
    const { read, section } = openSection('security_log_cleared', saved);
    this.stories = new KeyedTable(storyTable, section['stories'], read);
  }

  handle(ev: IdentityEvent, ctx: DetectionContext): void {
    if (ev.kind !== 'log_cleared') return;
    const who = ev.subject;
    const key = `${hostKey(ev.host)}|${who ? accountKey(who) : ''}`;
    const story = this.remember(key, ev);
    const onTier0 = ctx.directory.isTier0Host(ev.host);
    const severity: Severity = onTier0 ? 'high' : 'medium';
    const logs = story.clears > 3 ? `${story.clears} event logs (${story.logs.slice(0, 3).join(', ')}, …)` : `the ${story.logs.join(', ')} log${story.logs.length > 1 ? 's' : ''}`;
    ctx.emit({
      keys: [who ? accountKey(who) : '', hostKey(ev.host)],
      severity,
      title: story.logs.includes('Security') ? 'Security event log cleared' : declaration.title,
      description: `${who ? qualified(who) : 'An unknown account'} cleared ${logs} on ${ev.host}${onTier0 ? ', a domain controller or tier-0 host' : ''}. `
        + 'Logs roll over by size on their own; clearing one erases the record of what happened before it, which is what an intruder does after acting.'
        + (story.backups.length ? ` A backup was written to ${story.backups[0]}.` : ''),
      accounts: who ? [accountEntity(who, 'actor')] : [],
      hosts: present([hostEntity('target', ev.host)]),
      events: [originOf(ev)],
      details: { logs: [...story.logs], ...(story.backups.length ? { backupPaths: [...story.backups] } : {}) },
    });
  }

  private remember(key: string, ev: LogCleared): Story {
    const known = this.stories.get(key);
    const story = known && ev.time - known.last <= STORY_MS ? known : { logs: [], clears: 0, first: ev.time, last: ev.time, backups: [] };
    if (!story.logs.includes(ev.log) && story.logs.length < MAX_LOGS_NAMED) story.logs.push(ev.log);
    if (ev.backupPath && !story.backups.includes(ev.backupPath) && story.backups.length < MAX_BACKUPS) story.backups.push(ev.backupPath);
    story.last = ev.time;
    story.clears++;
    this.stories.set(key, story);
    return story;
  }

  snapshot(): unknown {
    return { stories: this.stories.snapshot() };
  }

  evictIdle(before: number, watermark?: number): void {
    this.stories.evict(before, watermark);
  }
}
