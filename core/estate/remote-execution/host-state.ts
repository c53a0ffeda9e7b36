import type { Account } from '../../events/fields';
import type { EventOrigin, Logon } from '../../events/identity-event';
import type { RecentLogon, Touch } from './evidence';

/**
 * Short-lived per-target memory: the remote evidence of the last minutes, the WmiPrvSE
 * processes running (pre-Windows 10 4688s do not name the parent), actions still waiting for
 * evidence logged in the same second, and SCM pipe opens per (source, account). Every list is
 * capped, so a busy host costs a fixed amount of memory.
 */

export type Method = 'service' | 'task' | 'wmi' | 'winrm' | 'session_process' | 'staged_service' | 'scm_burst';

/** What happened on a target, before we know who did it from where. */
export interface Action {
  readonly method: Method;
  readonly target: string;
  /** Plain language: `installed the service "X" (C:\x.exe)`. */
  readonly what: string;
  readonly origin: EventOrigin;
  readonly details: Readonly<Record<string, unknown>>;
  /** The actor when the event names one by name. */
  readonly account?: Account;
  /** The actor's SID when that is all the event says (7045). */
  readonly sid?: string;
  readonly logonId?: string;
}

export interface HostState {
  touches: Touch[];
  /**
   * Recent network logons of people from elsewhere, newest last. Every 4624 may land here, so
   * the events are kept as they are (no copy) and only looked at when an action needs them.
   */
  logons: RecentLogon[];
  wmiPids: { pid: number; time: number }[];
  /** Processes already reported as started remotely: their children add nothing. */
  remotePids?: number[];
  pending: Action[];
  /** `source|account` → times the SCM pipe was opened. */
  scmOpens: Record<string, number[]>;
  lastSeen: number;
}

export const MAX_TOUCHES = 64;
/** Kept after a cut; the list grows to twice this before the next. */
export const MAX_LOGONS = 32;
export const MAX_WMI_PIDS = 16;
export const MAX_REMOTE_PIDS = 32;
export const MAX_PENDING = 16;

export function newHostState(time: number): HostState {
  return { touches: [], logons: [], wmiPids: [], pending: [], scmOpens: {}, lastSeen: time };
}

export function addTouch(h: HostState, t: Touch, keepMs: number): void {
  h.touches.push(t);
  const from = t.time - keepMs;
  let drop = 0;
  while (drop < h.touches.length && (h.touches[drop] as Touch).time < from) drop++;
  if (h.touches.length - drop > MAX_TOUCHES) drop = h.touches.length - MAX_TOUCHES;
  if (drop > 0) h.touches.splice(0, drop);
}

/** The newest touch within `windowMs` of `time` (either side) that satisfies `match`. */
export function findTouch(h: HostState, time: number, windowMs: number, match: (t: Touch) => boolean): Touch | undefined {
  for (let i = h.touches.length - 1; i >= 0; i--) {
    const t = h.touches[i] as Touch;
    if (Math.abs(t.time - time) <= windowMs && match(t)) return t;
  }
  return undefined;
}

/** Amortised O(1): the list is cut back to the newest MAX_LOGONS once it doubles. */
export function addLogon(h: HostState, ev: Logon): void {
  h.logons.push(ev);
  if (h.logons.length >= 2 * MAX_LOGONS) h.logons.splice(0, h.logons.length - MAX_LOGONS);
}

/** The newest logon within `windowMs` of `time` (either side) that satisfies `match`. */
export function findLogon(h: HostState, time: number, windowMs: number, match: (ev: RecentLogon) => boolean): RecentLogon | undefined {
  for (let i = h.logons.length - 1; i >= 0; i--) {
    const ev = h.logons[i] as RecentLogon;
    if (Math.abs(ev.time - time) <= windowMs && match(ev)) return ev;
  }
  return undefined;
}

export function rememberWmiHost(h: HostState, pid: number, time: number): void {
  h.wmiPids = h.wmiPids.filter((p) => p.pid !== pid);
  h.wmiPids.push({ pid, time });
  if (h.wmiPids.length > MAX_WMI_PIDS) h.wmiPids.shift();
}

export function isWmiHost(h: HostState, pid: number | undefined): boolean {
  return pid !== undefined && h.wmiPids.some((p) => p.pid === pid);
}

export function rememberRemoteProcess(h: HostState, pid: number | undefined): void {
  if (pid === undefined) return;
  const pids = (h.remotePids ??= []);
  if (pids.includes(pid)) return;
  pids.push(pid);
  if (pids.length > MAX_REMOTE_PIDS) pids.shift();
}

export function isRemoteProcess(h: HostState, pid: number | undefined): boolean {
  return pid !== undefined && h.remotePids !== undefined && h.remotePids.includes(pid);
}

export function park(h: HostState, a: Action, windowMs: number): void {
  h.pending = h.pending.filter((p) => a.origin.time - p.origin.time <= windowMs);
  h.pending.push(a);
  if (h.pending.length > MAX_PENDING) h.pending.shift();
}

export const MAX_SCM_KEYS = 64;

/** Counts an SCM pipe open by `key` and returns how many fall within `windowMs`. */
export function countScmOpen(h: HostState, key: string, time: number, windowMs: number, cap: number): number {
  if (!(key in h.scmOpens) && Object.keys(h.scmOpens).length >= MAX_SCM_KEYS) dropStaleScm(h, time - windowMs);
  const times = (h.scmOpens[key] ??= []);
  times.push(time);
  let drop = 0;
  while (drop < times.length && (times[drop] as number) < time - windowMs) drop++;
  if (times.length - drop > cap) drop = times.length - cap;
  if (drop > 0) times.splice(0, drop);
  return times.length;
}

/**
 * Drops what can no longer explain anything: evidence older than `recentFrom` (the latest event
 * time minus the longest correlation window). Without this, a host that went quiet would keep
 * its last few dozen logons until the state TTL.
 */
export function evictHostState(h: HostState, recentFrom: number): void {
  h.touches = h.touches.filter((t) => t.time >= recentFrom);
  h.logons = h.logons.filter((l) => l.time >= recentFrom);
  h.pending = h.pending.filter((p) => p.origin.time >= recentFrom);
  dropStaleScm(h, recentFrom);
}

/**
 * Whether nothing is left of a host once its evidence aged out: no recent evidence, no
 * process still tracked. Such a host is forgotten instead of kept until the state TTL: at
 * 1 M events most of the 2.6 MB of RCE host state was hosts with five empty lists.
 */
export function isEmptyHostState(h: HostState): boolean {
  return h.touches.length === 0 && h.logons.length === 0 && h.pending.length === 0 && h.wmiPids.length === 0
    && (h.remotePids === undefined || h.remotePids.length === 0) && Object.keys(h.scmOpens).length === 0;
}

function dropStaleScm(h: HostState, before: number): void {
  for (const [k, times] of Object.entries(h.scmOpens)) if ((times[times.length - 1] ?? -Infinity) < before) delete h.scmOpens[k];
}
