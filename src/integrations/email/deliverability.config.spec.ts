import { deliverabilityConfig, parseSender } from './deliverability.config';

describe('deliverabilityConfig', () => {
  it('parses senders with or without a display name', () => {
    expect(parseSender('Billing <Billing@Example.com>')).toEqual({ email: 'billing@example.com', name: 'Billing' });
    expect(parseSender('"Support Desk" <support@example.com>')).toEqual({
      email: 'support@example.com',
      name: 'Support Desk',
    });
    expect(parseSender('ops@example.com')).toEqual({ email: 'ops@example.com' });
    expect(parseSender('Billing <not an address>')).toBeUndefined();
  });

  it('reads grants, default groups and limits, with defaults', () => {
    const config = deliverabilityConfig.declaration.load({
      EMAIL_SENDERS: 'Billing <billing@example.com>, ops@example.com',
      EMAIL_SENDER_GRANTS: 'key:ci=billing@example.com|ops@example.com; *=ops@example.com',
      EMAIL_ASM_GROUP_BY_CATEGORY: 'newsletter=42, billing=7',
    });
    expect(config.senders.map((s) => s.email)).toEqual(['billing@example.com', 'ops@example.com']);
    expect([...(config.senderGrants.get('key:ci') ?? [])]).toEqual(['billing@example.com', 'ops@example.com']);
    expect([...(config.senderGrants.get('*') ?? [])]).toEqual(['ops@example.com']);
    expect(config.groupByCategory.get('newsletter')).toBe(42);
    expect(config.handoverMs).toBe(15 * 60_000);
    expect(config.attachmentsMaxBytes).toBe(30 * 1024 * 1024);
  });

  it('names every malformed entry', () => {
    const problems = deliverabilityConfig.declaration.rules?.({
      EMAIL_SENDERS: 'Billing <nope>',
      EMAIL_SENDER_GRANTS: 'key:ci',
      EMAIL_ASM_GROUP_BY_CATEGORY: 'newsletter=abc',
    });
    expect(problems).toEqual([
      expect.stringMatching(/^EMAIL_SENDERS: .*Billing <nope>/),
      expect.stringMatching(/^EMAIL_SENDER_GRANTS: "key:ci"/),
      expect.stringMatching(/^EMAIL_ASM_GROUP_BY_CATEGORY: "newsletter=abc"/),
    ]);
  });
});
