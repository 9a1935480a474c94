import { describe, expect, it } from 'vitest';
import { connect, serve, type Port } from './rpc.ts';
import { detectLanguage, scanPersonalData } from './checks.ts';

const methods = { detectLanguage, scanPersonalData };

function pair() {
  const { port1, port2 } = new MessageChannel();
  const stop = serve(port2 as unknown as Port, methods);
  const client = connect<typeof methods>(port1 as unknown as Port);
  return { client, close: () => (stop(), port1.close(), port2.close()) };
}

describe('worker checks over RPC', () => {
  it('tells whether a text matches the item’s language and names the detector', async () => {
    const { client, close } = pair();
    const result = await client.call('detectLanguage', { text: 'The library is closed on public holidays and on Sundays.', language: 'sw' });
    expect(result).toMatchObject({ detected: 'en', matches: false, detector: 'franc@6.2.0' });
    expect(result.score).toBeGreaterThanOrEqual(0);
    expect(result.score).toBeLessThanOrEqual(1);
    close();
  });

  it('refuses a language that is not a BCP 47 tag', async () => {
    const { client, close } = pair();
    await expect(client.call('detectLanguage', { text: 'hello there my friend', language: 'Swahili!' })).rejects.toMatchObject({
      code: 'invalid_params',
    });
    close();
  });

  it('answers the findings of each field that has any', async () => {
    const { client, close } = pair();
    const result = await client.call('scanPersonalData', { fields: { meaning: 'mail juma@example.com', example: 'nothing here' } });
    expect(result).toEqual({ fields: { meaning: [{ type: 'email', start: 5, end: 21, text: 'juma@example.com' }] } });
    close();
  });

  it('uses the national id formats it is sent and refuses one that does not compile', async () => {
    const { client, close } = pair();
    const custom = { fields: { a: 'id KE-12345678' }, nationalIds: [{ name: 'test id', pattern: 'KE-\\d{8}' }] };
    expect((await client.call('scanPersonalData', custom)).fields.a?.[0]?.type).toBe('national_id');
    await expect(
      client.call('scanPersonalData', { fields: { a: 'x' }, nationalIds: [{ name: 'broken', pattern: '(' }] }),
    ).rejects.toMatchObject({ code: 'invalid_params' });
    close();
  });
});
