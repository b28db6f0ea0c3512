import { ledgerChangeOf, withoutSuppressed } from './suppression-rules';

describe(ledgerChangeOf.name, () => {
  const change = (event: string, fields: Record<string, unknown> = {}) =>
    ledgerChangeOf(event, { email: ' Ada@Example.com ', ...fields });

  it('suppresses hard bounces for every message, but not blocked (temporary) ones', () => {
    expect(change('bounce', { type: 'bounce' })).toEqual({
      kind: 'suppress',
      address: 'ada@example.com',
      reason: 'bounce',
      groupId: null,
    });
    expect(change('bounce', { type: 'blocked' })).toMatchObject({
      kind: 'none',
      note: expect.stringMatching(/blocked/),
    });
  });

  it.each([
    ['Bounced Address', 'bounce'],
    ['Spam Reporting Address', 'spamreport'],
    ['Unsubscribed Address', 'unsubscribe'],
    ['Invalid', 'invalid'],
  ])('suppresses a drop for "%s" as %s', (reason, expected) => {
    expect(change('dropped', { reason })).toMatchObject({ kind: 'suppress', reason: expected });
  });

  it('ignores drops about the message rather than the address', () => {
    expect(change('dropped', { reason: 'Invalid SMTPAPI header' })).toEqual({ kind: 'none' });
    expect(change('dropped', { reason: 'Spam Content (if spam checker app enabled)' })).toEqual({ kind: 'none' });
  });

  it('suppresses spam reports and global unsubscribes; group events only for their group', () => {
    expect(change('spamreport')).toMatchObject({ kind: 'suppress', reason: 'spamreport', groupId: null });
    expect(change('unsubscribe')).toMatchObject({ kind: 'suppress', reason: 'unsubscribe', groupId: null });
    expect(change('group_unsubscribe', { asm_group_id: 42 })).toMatchObject({
      reason: 'group_unsubscribe',
      groupId: 42,
    });
    expect(change('group_unsubscribe')).toMatchObject({ kind: 'none' });
    expect(change('group_resubscribe', { asm_group_id: '42' })).toEqual({
      kind: 'resubscribe',
      address: 'ada@example.com',
      groupId: 42,
    });
  });

  it('changes nothing for delivery events or an event without an address', () => {
    expect(change('delivered')).toEqual({ kind: 'none' });
    expect(ledgerChangeOf('bounce', {})).toEqual({ kind: 'none' });
  });
});

describe(withoutSuppressed.name, () => {
  const blocked = new Map([
    ['a@x.org', { reason: 'bounce' as const, groupId: null }],
    ['b@x.org', { reason: 'spamreport' as const, groupId: null }],
  ]);

  it('takes suppressed addresses off, whatever their case, and says why', () => {
    const result = withoutSuppressed({ to: ['A@x.org', 'c@x.org'], cc: ['b@x.org'], bcc: [] }, blocked, 'me@x.org');
    expect(result.kept).toEqual({ to: ['c@x.org'], cc: [], bcc: [] });
    expect(result.removed).toEqual([
      { email: 'A@x.org', reason: 'bounce', groupId: null },
      { email: 'b@x.org', reason: 'spamreport', groupId: null },
    ]);
  });

  it('moves cc up when every to is suppressed, and keeps bcc hidden behind the sender when only bcc is left', () => {
    expect(withoutSuppressed({ to: ['a@x.org'], cc: ['c@x.org'], bcc: ['d@x.org'] }, blocked, 'me@x.org').kept).toEqual(
      {
        to: ['c@x.org'],
        cc: [],
        bcc: ['d@x.org'],
      },
    );
    expect(
      withoutSuppressed({ to: ['a@x.org'], cc: [], bcc: ['d@x.org', 'Me@x.org'] }, blocked, 'me@x.org').kept,
    ).toEqual({
      to: ['me@x.org'],
      cc: [],
      bcc: ['d@x.org'],
    });
  });

  it('leaves nothing when every recipient is suppressed', () => {
    expect(withoutSuppressed({ to: ['a@x.org'], cc: ['b@x.org'], bcc: [] }, blocked, 'me@x.org').kept).toBeNull();
  });
});
