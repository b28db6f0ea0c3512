import { requestIdFrom } from './request-id';

describe(requestIdFrom.name, () => {
  it('keeps a well-formed caller id', () => {
    expect(requestIdFrom('abc-123_x.y:z')).toBe('abc-123_x.y:z');
  });

  it.each([['has space'], ['line\nbreak'], ['x'.repeat(129)], [''], ['{"json":1}']])(
    'replaces %j with a UUID',
    (value) => {
      expect(requestIdFrom(value)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    },
  );

  it('generates one when absent', () => {
    expect(requestIdFrom(undefined)).not.toBe(requestIdFrom(undefined));
  });
});
