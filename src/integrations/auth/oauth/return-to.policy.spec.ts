import type { ConfigType } from '@nestjs/config';
import type { authConfig } from '../../../config/auth.config';
import { ReturnToPolicy } from './return-to.policy';

function policy(overrides: Partial<ConfigType<typeof authConfig>> = {}): ReturnToPolicy {
  return new ReturnToPolicy({
    redirectAllowlist: ['https://app.example.com', 'http://localhost:5173'],
    ...overrides,
  } as ConfigType<typeof authConfig>);
}

describe(ReturnToPolicy.name, () => {
  const sut = policy();

  it.each([
    ['https://app.example.com/files?x=1#top', 'https://app.example.com/files?x=1#top'],
    ['https://APP.example.com:443/', 'https://app.example.com/'],
    ['http://localhost:5173/after', 'http://localhost:5173/after'],
  ])('allows %s on an allow-listed origin', (input, expected) => {
    expect(sut.resolve(input)).toBe(expected);
  });

  it.each([
    undefined,
    '',
    ['https://app.example.com'],
    '//evil.test',
    '/\\evil.test',
    'https://evil.test',
    'https://app.example.com.evil.test/',
    'https://app.example.com@evil.test/',
    'https://user:pw@app.example.com/',
    'http://app.example.com/',
    'javascript:alert(1)',
    'https://app.example.com/' + 'a'.repeat(2100),
  ])('refuses %j: the default', (input) => {
    expect(sut.resolve(input)).toBe('/');
  });

  it('uses AUTH_DEFAULT_REDIRECT_URL as the default', () => {
    expect(policy({ defaultRedirectUrl: 'https://app.example.com/home' }).resolve('https://evil.test')).toBe(
      'https://app.example.com/home',
    );
  });

  it('adds the error code to relative and absolute targets', () => {
    expect(sut.withError('/', 'access_denied')).toBe('/?error=access_denied');
    expect(sut.withError('https://app.example.com/a?b=1#c', 'state_reused')).toBe(
      'https://app.example.com/a?b=1&error=state_reused#c',
    );
  });
});
