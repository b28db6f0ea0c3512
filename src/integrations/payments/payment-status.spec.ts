import { TERMINAL_RANK, fromIntentStatus, refundRank, refundStatusesBelow, statusRank } from './payment-status';

describe('payment status precedence', () => {
  it('ranks later stages of the flow higher, with both final statuses on top', () => {
    const flow = [
      'creating',
      'requires_payment_method',
      'requires_confirmation',
      'requires_action',
      'processing',
      'failed',
      'requires_capture',
    ] as const;
    const ranks = flow.map(statusRank);
    expect([...ranks].sort((a, b) => a - b)).toEqual(ranks);
    expect(statusRank('succeeded')).toBe(TERMINAL_RANK);
    expect(statusRank('canceled')).toBe(TERMINAL_RANK);
    expect(Math.max(...ranks)).toBeLessThan(TERMINAL_RANK);
  });

  it('maps Stripe intent statuses, leaving our own and unknown ones out', () => {
    expect(fromIntentStatus('requires_capture')).toBe('requires_capture');
    expect(fromIntentStatus('creating')).toBeUndefined();
    expect(fromIntentStatus('some_future_status')).toBeUndefined();
  });

  it('lets a refund go pending → succeeded → failed, never back', () => {
    expect(refundStatusesBelow(refundRank('succeeded'))).toEqual(['creating', 'pending', 'requires_action']);
    expect(refundStatusesBelow(refundRank('failed'))).toEqual(['creating', 'pending', 'requires_action', 'succeeded']);
    expect(refundStatusesBelow(refundRank('pending'))).toEqual(['creating']);
  });
});
