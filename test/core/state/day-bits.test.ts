import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { addDay, DAY_BITS_SPAN, dayCount, daysBefore, daysOf, fromDays, hasDay, isDayBits, NO_DAYS } from '../../../core/state/day-bits';

const TODAY = 19_794; // 2024-03-12

describe('day bits', () => {
  it('holds the days added, in any order, once each', () => {
    const bits = [TODAY - 2, TODAY, TODAY - 2, TODAY - 5].reduce(addDay, NO_DAYS);
    assert.deepEqual(daysOf(bits), [TODAY - 5, TODAY - 2, TODAY]);
    assert.equal(dayCount(bits), 3);
    assert.ok(hasDay(bits, TODAY - 2));
    assert.ok(!hasDay(bits, TODAY - 1));
  });

  it('counts the days before a given day', () => {
    const bits = fromDays([TODAY - 3, TODAY - 1, TODAY]);
    assert.equal(daysBefore(bits, TODAY), 2);
    assert.equal(daysBefore(bits, TODAY - 1), 1);
    assert.equal(daysBefore(bits, TODAY + 1), 3);
    assert.equal(daysBefore(bits, TODAY - 30), 0);
  });

  it('drops days older than the span before the latest one', () => {
    const bits = addDay(addDay(NO_DAYS, TODAY - DAY_BITS_SPAN), TODAY);
    assert.deepEqual(daysOf(bits), [TODAY]);
    assert.deepEqual(daysOf(addDay(bits, TODAY - DAY_BITS_SPAN)), [TODAY]);
  });

  it('agrees with a plain set of the days within the span of the latest', () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: TODAY - 60, max: TODAY }), { maxLength: 40 }), (days) => {
      let bits = NO_DAYS;
      let latest = -Infinity;
      let kept = new Set<number>();
      for (const d of days) {
        bits = addDay(bits, d);
        if (d > latest) latest = d;
        kept.add(d);
        kept = new Set([...kept].filter((k) => latest - k < DAY_BITS_SPAN));
      }
      assert.deepEqual(daysOf(bits), [...kept].sort((a, b) => a - b));
      assert.equal(daysBefore(bits, TODAY - 10), [...kept].filter((k) => k < TODAY - 10).length);
      assert.ok(isDayBits(bits));
    }));
  });

  it('refuses values that are not a set', () => {
    for (const bad of [-1, 1.5, 2 ** 31, '3', null, Number.MAX_SAFE_INTEGER + 2]) assert.ok(!isDayBits(bad), String(bad));
    assert.ok(isDayBits(NO_DAYS));
  });
});
