import { strict as assert } from 'node:assert';
import { allowsOnObject, daclAces, trusteeName } from '../../../core/events/sddl';

describe('SDDL DACL reader', () => {
  it('reads the DACL ACEs after an owner and group whose aliases end in D', () => {
    const aces = daclAces('O:DAG:DAD:AI(OA;CI;CR;1131f6ad-9c07-11d1-f79f-00c04fc2dcd2;;S-1-5-21-1-2-3-1107)(A;;RPWP;;;AU)');
    assert.deepEqual(aces.map((a) => [a.type, a.rights.join(''), a.objectGuid, a.trustee]), [
      ['OA', 'CR', '1131f6ad-9c07-11d1-f79f-00c04fc2dcd2', 'S-1-5-21-1-2-3-1107'],
      ['A', 'RPWP', undefined, 'AU'],
    ]);
  });

  it('leaves the SACL out', () => {
    const aces = daclAces('O:BAG:BAD:(A;;RP;;;WD)S:(AU;SA;WPWDWO;;;WD)');
    assert.deepEqual(aces.map((a) => a.type), ['A']);
  });

  it('keeps a hex access mask as a number', () => {
    assert.equal(daclAces('D:(A;;0x40000;;;S-1-5-21-1-2-3-1107)')[0]?.mask, 0x40000);
  });

  it('does not count deny and inherit-only ACEs as rights on the object', () => {
    const [deny, inheritOnly, allow] = daclAces('D:(D;;DTSD;;;WD)(A;CIIO;GA;;;S-1-5-21-1-2-3-1107)(A;;GA;;;S-1-5-21-1-2-3-1107)');
    assert.deepEqual([deny, inheritOnly, allow].map((a) => a !== undefined && allowsOnObject(a)), [false, false, true]);
  });

  it('spells out well-known aliases and leaves SIDs as written', () => {
    assert.equal(trusteeName('AU'), 'Authenticated Users');
    assert.equal(trusteeName('S-1-5-21-1-2-3-1107'), 'S-1-5-21-1-2-3-1107');
  });
});
