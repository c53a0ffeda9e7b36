import { strict as assert } from 'node:assert';
import { BINDING_TTL_MS, HostAddresses } from '../../../core/estate/host-addresses';

const T0 = Date.UTC(2024, 2, 4, 9);

describe('host addresses (one client, named or addressed)', () => {
  it('binds a client name to the address a 4624/4625 gave with it, whatever the name\'s case or domain', () => {
    const h = new HostAddresses();
    h.observe('SCAN01', '10.16.1.22', T0);
    assert.equal(h.addressOf('scan01.corp.example', T0 + 60_000), '10.16.1.22');
  });

  it('follows a name to its newest address (DHCP) and never binds two addresses to each other', () => {
    const h = new HostAddresses();
    h.observe('WS05', '10.0.0.5', T0);
    h.observe('WS05', '10.0.0.9', T0 + 3_600_000);
    assert.equal(h.addressOf('WS05', T0 + 3_600_001), '10.0.0.9');
    assert.equal(h.addressOf('10.0.0.5', T0 + 3_600_001), undefined);
  });

  it('ignores loopback, dash and missing halves, which name no remote client', () => {
    const h = new HostAddresses();
    h.observe('WS05', '127.0.0.1', T0);
    h.observe('-', '10.0.0.5', T0);
    h.observe('WS06', undefined, T0);
    assert.deepEqual(h.snapshot(), []);
  });

  it('stops using a binding older than a day', () => {
    const h = new HostAddresses();
    h.observe('WS05', '10.0.0.5', T0);
    assert.equal(h.addressOf('WS05', T0 + BINDING_TTL_MS + 1), undefined);
  });

  it('keeps its bindings across passes', () => {
    const h = new HostAddresses();
    h.observe('WS05', '10.0.0.5', T0);
    assert.equal(new HostAddresses(h.snapshot()).addressOf('WS05', T0), '10.0.0.5');
  });
});
