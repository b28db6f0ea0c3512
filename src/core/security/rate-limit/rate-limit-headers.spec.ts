import { rateLimitHeaders } from './rate-limit-headers';

describe(rateLimitHeaders.name, () => {
  it('writes the draft structured fields, reset rounded up to whole seconds', () => {
    expect(
      rateLimitHeaders({ policy: 'caller', quota: 600, windowSeconds: 60, remaining: 12, resetMs: 30_001 }),
    ).toEqual({ 'RateLimit-Policy': '"caller";q=600;w=60', RateLimit: '"caller";r=12;t=31' });
  });

  it('never shows negative numbers', () => {
    expect(
      rateLimitHeaders({ policy: 'anonymous', quota: 1, windowSeconds: 60, remaining: -3, resetMs: -5 }).RateLimit,
    ).toBe('"anonymous";r=0;t=0');
  });
});
