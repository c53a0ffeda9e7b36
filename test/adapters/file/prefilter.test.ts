import { strict as assert } from 'node:assert';
import { skippable } from '../../../adapters/file/prefilter';
import { resolveConfig } from '../../../core/config/config';
import { DECLARATIONS, DETECTOR_MODULES } from '../../../core/detectors/registry';
import { wantedEvents } from '../../../core/engine/engine';
import { planFilter, pullPlan } from '../../../core/rules/pull-plan';

const wantsLogons = (channel: string, id: number) => channel === 'security' && id === 4624;
const line = (fields: Record<string, unknown>) => JSON.stringify({ TimeCreated: '2024-03-04T09:00:00.000Z', Computer: 'WS1', ...fields });

describe('line prefilter', () => {
  it('skips an event no detector wants, naming its channel and id', () => {
    assert.equal(skippable(line({ Channel: 'Microsoft-Windows-Sysmon/Operational', EventID: 3 }), wantsLogons), 'microsoft-windows-sysmon/operational:3');
    assert.equal(skippable(line({ Channel: 'Security', EventID: 5156 }), wantsLogons), 'security:5156');
  });

  it('keeps an event a detector wants, whatever the case of its channel or a quoted id', () => {
    assert.equal(skippable(line({ Channel: 'security', EventID: '4624' }), wantsLogons), undefined);
    assert.equal(skippable(line({ Channel: 'Security', EventID: 4624 }), wantsLogons), undefined);
  });

  it('leaves to the parser anything it cannot read with certainty', () => {
    assert.equal(skippable(line({ Channel: null, EventID: 5156 }), wantsLogons), undefined, 'no channel: the normaliser infers it');
    assert.equal(skippable(line({ Channel: 'Security', EventID: 'abc' }), wantsLogons), undefined, 'a bad id must be quarantined');
    assert.equal(skippable(line({ Channel: 'Security', EventID: 99999 }), wantsLogons), undefined, 'an id outside 16 bits must be quarantined');
    assert.equal(skippable(line({ Channel: 'Security', EventID: 5156 }).slice(0, 60), wantsLogons), undefined, 'a truncated line must be quarantined');
    assert.equal(skippable(line({ TimeGenerated: 'x', UserPrincipalName: 'a@b' }), wantsLogons), undefined, 'a cloud sign-in has no EventID');
  });

  it('is not fooled by an escaped "EventID" inside a value', () => {
    const text = line({ Channel: 'Security', CommandLine: 'echo "EventID":4624', EventID: 5156 });
    assert.equal(skippable(text, wantsLogons), 'security:5156');
  });

  it('compiled from the pull plan, skips what only disabled detectors need and keeps what the shared models read', () => {
    const config = resolveConfig({ detectors: { remote_code_execution: { enabled: false }, sensitive_group_change: { enabled: false } } }, DECLARATIONS);
    const wanted = planFilter(pullPlan(DETECTOR_MODULES, config));
    assert.equal(skippable(line({ Channel: 'Security', EventID: 4698 }), wanted), 'security:4698', 'a scheduled task only remote_code_execution reads');
    assert.equal(skippable(line({ Channel: 'Security', EventID: 4728 }), wanted), undefined, 'group changes feed the directory model');
  });
});

describe('prefilter with the pull plan\'s text conditions', () => {
  const wanted = wantedEvents(resolveConfig({}, DECLARATIONS), DETECTOR_MODULES);
  const line = (o: object) => JSON.stringify({ TimeCreated: '2024-01-01T00:00:00Z', Computer: 'FS1', ...o });

  it('skips a share open no detector reads (5140 on C$), unparsed', () => {
    assert.equal(skippable(line({ Channel: 'Security', EventID: 5140, ShareName: '\\\\*\\C$' }), wanted), 'security:5140');
  });

  it('keeps the print$ opens that identify print servers', () => {
    assert.equal(skippable(line({ Channel: 'Security', EventID: 5140, ShareName: '\\\\*\\print$' }), wanted), undefined);
  });

  it('keeps only the DSRM logon-behaviour value of Sysmon registry writes', () => {
    const sysmon = 'Microsoft-Windows-Sysmon/Operational';
    assert.equal(skippable(line({ Channel: sysmon, EventID: 13, TargetObject: 'HKLM\\Software\\Foo\\Bar' }), wanted), 'microsoft-windows-sysmon/operational:13');
    assert.equal(skippable(line({ Channel: sysmon, EventID: 13, TargetObject: 'HKLM\\System\\CurrentControlSet\\Control\\Lsa\\DsrmAdminLogonBehavior' }), wanted), undefined);
  });
});
