import { strict as assert } from 'node:assert';
import { mfaFatigue } from '../../../core/detectors/mfa_fatigue';
import { PLACES, signIn } from './cloud.fixtures';
import { fixture } from './cloud-fixture-files';
import { detect } from './harness';

const DECLINED = 'MFA denied; user declined the authentication';
const NO_ANSWER = 'MFA denied; user did not respond to mobile app notification';
const APPROVED = 'MFA successfully completed';
const victim = 'omar.haddad@corp.example';

const refused = (at: number, detail = DECLINED, place = PLACES.lagos) => signIn(at, victim, place, { result: 500121, mfa: detail });
const approved = (at: number, place = PLACES.lagos) => signIn(at, victim, place, { mfa: APPROVED });

describe('mfa_fatigue', () => {
  it('fires high when prompts are refused and then one is approved from the same address', async () => {
    const alerts = await detect(mfaFatigue, [refused(0), refused(2), refused(4), refused(6), approved(8)]);
    assert.equal(alerts.length, 1);
    assert.equal(alerts[0]?.severity, 'high');
    assert.deepEqual(alerts[0]?.entities.accounts, [{ name: victim, role: 'target' }]);
    assert.match(alerts[0]?.description ?? '', /after 4 prompts within 8 minutes were refused \(4 denied, 0 unanswered, 0 failed\)/);
    assert.match(alerts[0]?.description ?? '', /the attacker is signed in/);
  });

  it('rates medium when the approval comes from another address than the refused prompts', async () => {
    const alerts = await detect(mfaFatigue, [refused(0, NO_ANSWER), refused(3, NO_ANSWER), refused(6, NO_ANSWER), approved(9, PLACES.paris)]);
    assert.equal(alerts[0]?.severity, 'medium');
  });

  it('ignores two refusals then an approval: a fumbled prompt', async () => {
    assert.deepEqual(await detect(mfaFatigue, [refused(0), refused(1), approved(2)]), []);
  });

  it('ignores refusals spread beyond the window', async () => {
    assert.deepEqual(await detect(mfaFatigue, [refused(0), refused(70), refused(140), approved(150)]), []);
  });

  it('counts a refused prompt exported three times once', async () => {
    assert.deepEqual(await detect(mfaFatigue, fixture('duplicates.jsonl')), []);
  });

  it('fires on a prompt the user reported as fraud', async () => {
    const alerts = await detect(mfaFatigue, [refused(0, 'MFA denied; Phone App Reported Fraud')]);
    assert.equal(alerts[0]?.title, 'MFA prompt reported as fraud');
    assert.equal(alerts[0]?.severity, 'medium');
  });

  it('fires on a long run of refused prompts even without an approval', async () => {
    const bombing = Array.from({ length: 10 }, (_, i) => refused(i * 2));
    const alerts = await detect(mfaFatigue, bombing);
    assert.equal(alerts.length, 1);
    assert.equal(alerts[0]?.evidence.details?.['mode'], 'bombing');
  });

  it('raises the bombing alert to high once an approval follows', async () => {
    const alerts = await detect(mfaFatigue, [...Array.from({ length: 10 }, (_, i) => refused(i * 2)), approved(21)]);
    assert.equal(alerts.length, 1);
    assert.equal(alerts[0]?.severity, 'high');
  });
});
