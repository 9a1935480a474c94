import { describe, expect, it } from 'vitest';
import { nodeHostName, parseDomain, publishableAddress } from './names.ts';

describe('node names', () => {
  it('names a node <node id>.<domain>, from a domain given in any case', () => {
    expect(nodeHostName('n-abcdefghijklmnop', parseDomain('Lib.Example.ORG.'))).toBe('n-abcdefghijklmnop.lib.example.org');
    for (const bad of ['localhost', 'example', '-bad.org', 'a..b', 'lib.123', 'x'.repeat(64) + '.org', 'lib_test.org']) expect(() => parseDomain(bad), bad).toThrow(/not a domain name/);
  });

  it('publishes LAN addresses only', () => {
    for (const ok of ['10.1.2.3', '172.16.0.9', '172.31.255.1', '192.168.1.20', '100.64.0.1', '169.254.3.4', '127.0.0.1', 'fd00::20', 'fe80::1', '::1']) expect(publishableAddress(ok), ok).toBe(true);
    for (const no of ['8.8.8.8', '172.32.0.1', '100.128.0.1', '0.0.0.0', '224.0.0.1', '2001:db8::1', 'ff02::1', '::', 'lib.test', '']) expect(publishableAddress(no), no).toBe(false);
  });
});

describe('the orders a node may cause', () => {
  it('allows so many in any 7 days, and says when the next is allowed', async () => {
    const { OrderBudget, OrderLimitError } = await import('./acme.ts');
    const budget = new OrderBudget(2);
    const day = 86_400_000;
    budget.spend('n-a', 0);
    budget.spend('n-a', day);
    budget.spend('n-b', day);
    expect(() => budget.spend('n-a', 2 * day)).toThrow(OrderLimitError);
    try {
      budget.spend('n-a', 2 * day);
    } catch (e) {
      expect((e as InstanceType<typeof OrderLimitError>).retryAfterMs).toBe(5 * day);
    }
    budget.spend('n-a', 7 * day);
  });
});
