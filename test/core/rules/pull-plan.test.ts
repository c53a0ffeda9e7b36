import { strict as assert } from 'node:assert';
import { resolveConfig } from '../../../core/config/config';
import type { DetectorModule, RequiredEvents } from '../../../core/detectors/detector';
import { DIRECTORY_NEEDS } from '../../../core/estate/directory-model';
import { DECLARATIONS, DETECTOR_MODULES } from '../../../core/detectors/registry';
import { fieldsRead } from '../../../core/events/fields-read';
import { IDENTITY_NEEDS } from '../../../core/identity/identity-learning';
import { cloudPull, planFilter, pullPlan, SHARED_NEEDS, windowsPulls, type PullPlan } from '../../../core/rules/pull-plan';
import type { Predicate } from '../../../core/rules/tree';

const only = (...ids: string[]): DetectorModule[] => DETECTOR_MODULES.filter((m) => ids.includes(m.declaration.id));
const security = (plan: PullPlan) => windowsPulls(plan).find((w) => w.channel === 'Security');

/** A module declaring just `requires`, to test the plan's arithmetic on declarations alone. */
function declaring(...requires: RequiredEvents[]): DetectorModule {
  const base = DETECTOR_MODULES[0] as DetectorModule;
  return { ...base, declaration: { ...base.declaration, requires } };
}

describe('the pull plan', () => {
  it('pulls every declared event that has a builder, for every detector and both shared models', () => {
    const plan = pullPlan(DETECTOR_MODULES);
    const wanted = planFilter(plan);
    for (const r of [...SHARED_NEEDS.flatMap((n) => n.requires), ...DETECTOR_MODULES.flatMap((m) => m.declaration.requires)]) {
      for (const id of r.eventIds) {
        const key = r.channel === 'SigninLogs' || r.channel === 'AuditLogs' ? 0 : id;
        assert.equal(wanted(r.channel.toLowerCase(), key), true, `${r.channel}:${id}`);
      }
    }
  });

  it('narrows to one detector\'s events, plus what the shared models need', () => {
    const ids = security(pullPlan(only('brute_force')))?.eventIds ?? [];
    assert.ok(ids.includes(4771));
    // Share access (5145) and service installs (7045) are remote-execution evidence, not brute force.
    assert.ok(!ids.includes(5145));
    assert.equal(windowsPulls(pullPlan(only('brute_force'))).some((w) => w.channel === 'System'), false);
  });

  it('leaves out the events only a disabled detector declares', () => {
    const config = resolveConfig({ detectors: { remote_code_execution: { enabled: false } } }, DECLARATIONS);
    assert.ok(security(pullPlan(DETECTOR_MODULES))?.eventIds.includes(4698));
    assert.ok(!security(pullPlan(DETECTOR_MODULES, config))?.eventIds.includes(4698));
  });

  it('pulls group changes for the directory model with no detector enabled, so nested sensitive groups are still learned', () => {
    const ids = security(pullPlan([]))?.eventIds ?? [];
    for (const id of [4728, 4729, 4732, 4733, 4756, 4757, 5136]) assert.ok(ids.includes(id), String(id));
    assert.ok(DIRECTORY_NEEDS.requires.some((r) => r.eventIds.includes(4728)), 'declared by the directory model itself');
  });

  it('pulls Entra sign-ins and audit records for identity resolution whichever detectors are enabled', () => {
    const plan = pullPlan(only('brute_force'));
    assert.ok(cloudPull(plan, 'SigninLogs'));
    assert.ok(cloudPull(plan, 'AuditLogs')?.fields.includes('TargetResources'));
    assert.ok(IDENTITY_NEEDS.requires.some((r) => r.channel === 'AuditLogs'));
  });

  it('fetches the fields the normaliser reads for each pulled event, not only the declared ones', () => {
    // 4768's builder reads PreAuthType and TicketOptions whichever detector consumes it.
    const fields = security(pullPlan(only('brute_force')))?.fields ?? [];
    for (const f of [...(fieldsRead('Security', 4768) ?? []), 'TimeCreated', 'Computer', 'EventRecordID']) assert.ok(fields.includes(f), f);
  });

  it('fetches a declared field the normaliser does not read', () => {
    const plan = pullPlan([declaring({ channel: 'Security', eventIds: [4776], fields: ['PackageName'], auditPolicy: 'x' })]);
    assert.ok(security(plan)?.fields.includes('PackageName'));
  });

  it('leaves out a declared event the normaliser has no builder for: the engine would never read it', () => {
    const plan = pullPlan([declaring({ channel: 'Security', eventIds: [4634], fields: [], auditPolicy: 'x' })]);
    assert.ok(!security(plan)?.eventIds.includes(4634));
  });

  it('pushes down a condition when every use of the events declares one', () => {
    const where: Predicate = { op: 'in', field: 'ShareName', values: ['\\\\*\\IPC$'] };
    const plan = pullPlan([declaring({ channel: 'Security', eventIds: [5140], fields: [], auditPolicy: 'x', where })]);
    const share = windowsPulls(plan).find((w) => w.eventIds.includes(5140));
    assert.deepEqual(share?.where, where);
    assert.equal(windowsPulls(plan).find((w) => w.eventIds.includes(4624))?.where, undefined, 'other events stay unconditioned');
  });

  it('drops the condition as soon as one use takes the events unconditioned', () => {
    const where: Predicate = { op: 'in', field: 'ShareName', values: ['\\\\*\\IPC$'] };
    const plan = pullPlan([
      declaring({ channel: 'Security', eventIds: [5140], fields: [], auditPolicy: 'x', where }),
      declaring({ channel: 'Security', eventIds: [5140], fields: [], auditPolicy: 'x' }),
    ]);
    assert.equal(windowsPulls(plan).find((w) => w.eventIds.includes(5140))?.where, undefined);
  });

  it('is plain data: it survives a JSON round trip unchanged', () => {
    const plan = pullPlan(DETECTOR_MODULES);
    assert.deepEqual(JSON.parse(JSON.stringify(plan)), plan);
  });

  it('filters as the normaliser asks: lower-case channel, an Entra table as id 0', () => {
    const wanted = planFilter(pullPlan(only('kerberoasting')));
    assert.equal(wanted('security', 4769), true);
    assert.equal(wanted('auditlogs', 0), true);
    assert.equal(wanted('security', 4698), false);
    assert.equal(wanted('application', 4769), false);
  });
});
