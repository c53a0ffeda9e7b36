import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { FileAlertSink } from '../../../adapters/file/file-sink';
import { FileQuarantine } from '../../../adapters/file/file-quarantine';
import { FileSource } from '../../../adapters/file/file-source';
import { FileStateStore } from '../../../adapters/file/file-state-store';
import { acquireStateLock } from '../../../adapters/file/state-lock';
import type { Alert } from '../../../core/alerts/alert';
import { resolveConfig } from '../../../core/config/config';
import { DECLARATIONS, DETECTOR_MODULES } from '../../../core/detectors/registry';
import { runPass } from '../../../core/engine/engine';
import type { Quarantine, Sink, Source } from '../../../core/engine/ports';
import type { StateStore } from '../../../core/state/state';
import { securityEvent } from '../detectors/harness';

/**
 * Exactly-once across crashes: a pass is killed (simulated by a throw, with the on-disk effect
 * a kill at that point leaves) at each commit boundary in turn, then rerun. The alerts file must
 * then hold every alert of an uninterrupted run, each once.
 */
const config = resolveConfig({}, DECLARATIONS);
const NOW = Date.UTC(2024, 2, 10);
const jsonl = (events: readonly object[]) => events.map((e) => JSON.stringify(e)).join('\n') + '\n';
const roast = (at: number, service: string, who = 'jdoe') => securityEvent(4769, at, {
  TargetUserName: `${who}@CORP.EXAMPLE`, ServiceName: service, TicketEncryptionType: '0x17', Status: '0x0', IpAddress: '::ffff:10.0.4.21',
});
const guess = (at: number, account: string, ip = '10.0.6.6') => securityEvent(4771, at, { TargetUserName: account, Status: '0x18', PreAuthType: '2', IpAddress: `::ffff:${ip}` }, ip === '10.0.6.6' ? 'DC01.corp.example' : 'DC02.corp.example');

const day1 = jsonl([...['svc-a', 'svc-b', 'svc-c'].map((s, i) => roast(i * 0.1, s)), ...Array.from({ length: 8 }, (_, i) => guess(1 + i / 60, 'admin'))]);
const day2 = jsonl([...['svc-d', 'svc-e', 'svc-f'].map((s, i) => roast(1440 + i * 0.1, s, 'mallory')), ...Array.from({ length: 8 }, (_, i) => guess(1441 + i / 60, 'backup'))]);
const dc2 = jsonl([...Array.from({ length: 8 }, (_, i) => guess(1442 + i / 60, 'sqladmin', '10.0.7.7')), { not: 'an event' }]);

type Boundary = 'mid-read' | 'mid-alert-write' | 'after-alert-write-before-fsync' | 'after-alert-fsync' | 'after-quarantine-close' | 'mid-state-write' | 'after-state-rename' | 'after-state-save';
const BOUNDARIES: readonly Boundary[] = ['mid-read', 'mid-alert-write', 'after-alert-write-before-fsync', 'after-alert-fsync', 'after-quarantine-close', 'mid-state-write', 'after-state-rename', 'after-state-save'];

class Killed extends Error {}

interface Files { readonly export: string; readonly dc2: string; readonly out: string; readonly state: string; readonly quarantine: string }

function files(): Files {
  const dir = mkdtempSync(join(tmpdir(), 'tz-crash-'));
  return { export: join(dir, 'export.jsonl'), dc2: join(dir, 'dc2.jsonl'), out: join(dir, 'alerts.jsonl'), state: join(dir, 'state.json'), quarantine: join(dir, 'q.jsonl') };
}

/** A dead PID, for the temp file a killed run leaves. */
const deadPid = (): number => spawnSync(process.execPath, ['-e', '0']).pid as number;

async function pass(f: Files, crashAt?: Boundary): Promise<void> {
  const real = { source: new FileSource([f.export, f.dc2], { maxLineBytes: 65536 }), sink: new FileAlertSink(f.out, 'append'), store: new FileStateStore(f.state), quarantine: new FileQuarantine(f.quarantine) };
  const source: Source = {
    async *pull(c) {
      for await (const page of real.source.pull(c)) {
        yield page;
        if (crashAt === 'mid-read') throw new Killed();
      }
    },
    checkpointAfterPull: () => real.source.checkpointAfterPull(),
  };
  const sink: Sink = {
    async write(alerts: readonly Alert[]) {
      const text = alerts.map((a) => `${JSON.stringify(a)}\n`).join('');
      if (crashAt === 'mid-alert-write') {
        appendFileSync(f.out, text.slice(0, Math.floor(text.length / 2)));
        throw new Killed();
      }
      if (crashAt === 'after-alert-write-before-fsync') {
        appendFileSync(f.out, text);
        throw new Killed();
      }
      await real.sink.write(alerts);
      if (crashAt === 'after-alert-fsync') throw new Killed();
    },
  };
  const quarantine: Quarantine = {
    put: (r) => real.quarantine.put(r),
    async close() {
      await real.quarantine.close();
      if (crashAt === 'after-quarantine-close') throw new Killed();
    },
  };
  const store: StateStore = {
    load: () => real.store.load(),
    async save(state, expected) {
      if (crashAt === 'mid-state-write') {
        writeFileSync(`${f.state}.${deadPid()}.tmp`, JSON.stringify(state).slice(0, 500));
        throw new Killed();
      }
      const token = await real.store.save(state, expected);
      if (crashAt === 'after-state-rename' || crashAt === 'after-state-save') throw new Killed();
      return token;
    },
  };
  await runPass({ source, sink, store, quarantine, config, modules: DETECTOR_MODULES, clock: () => NOW });
}

/** Day 1 committed; then day 2 is appended and a second DC's file arrives. */
async function scenario(crashAt?: Boundary): Promise<{ ids: string[]; f: Files }> {
  const f = files();
  writeFileSync(f.export, day1);
  writeFileSync(f.dc2, '');
  await pass(f);
  appendFileSync(f.export, day2);
  writeFileSync(f.dc2, dc2);
  if (crashAt) await assert.rejects(pass(f, crashAt), Killed);
  await pass(f);
  const ids = readFileSync(f.out, 'utf8').split('\n').filter(Boolean).map((l) => (JSON.parse(l) as Alert).id);
  return { ids, f };
}

describe('crash points', () => {
  let reference: string[] = [];

  before(async () => {
    const clean = await scenario();
    reference = clean.ids.sort();
    assert.match(readFileSync(clean.f.out, 'utf8'), /sqladmin/, 'the second DC contributes an alert');
    assert.equal(reference.length, 5, 'alerts from both days and from the second DC');
  });

  for (const boundary of BOUNDARIES) {
    it(`loses and doubles no alert when killed ${boundary.replace(/-/g, ' ')} and rerun`, async () => {
      const { ids, f } = await scenario(boundary);
      assert.deepEqual([...ids].sort(), reference, '0 lost');
      assert.equal(new Set(ids).size, ids.length, '0 duplicated');
      const state = JSON.parse(readFileSync(f.state, 'utf8')) as { delivered: Record<string, number> };
      assert.deepEqual(Object.keys(state.delivered).sort(), reference, 'state knows every delivered id');
      if (boundary === 'mid-state-write') {
        acquireStateLock(f.state).release();
        assert.deepEqual(tempsOf(f.state), [], 'the next run cleans the killed run’s temp file');
      }
    });
  }
});

function tempsOf(state: string): string[] {
  return readdirSync(dirname(state)).filter((n) => n.startsWith(`${basename(state)}.`) && n.endsWith('.tmp'));
}
