import { generateKeyPairSync } from 'node:crypto';
import { emailEnv } from './email.config';
import { sendgridConfig } from '../integrations/email/sendgrid.config';
import { findEnvProblems } from './env.validation';

const specs = [sendgridConfig.env, emailEnv];

describe('email environment', () => {
  it('accepts no email variables at all (log transport)', () => {
    expect(findEnvProblems({}, specs)).toEqual([]);
  });

  it('refuses EMAIL_TRANSPORT=sendgrid without SENDGRID_API_KEY', () => {
    expect(findEnvProblems({ EMAIL_TRANSPORT: 'sendgrid' }, specs)).toEqual([
      'EMAIL_TRANSPORT: sendgrid needs SENDGRID_API_KEY',
    ]);
  });

  it('names each malformed variable without echoing its value', () => {
    const problems = findEnvProblems(
      {
        EMAIL_TRANSPORT: 'smtp',
        EMAIL_FROM: 'not-an-address',
        EMAIL_REDIRECT_ALL_TO: 'x@',
        EMAIL_BATCH: 'maybe',
        EMAIL_RECEIPTS_TEMPLATE_ID: 'd-123',
        EMAIL_MAX_ATTEMPTS: '0',
      },
      specs,
    );
    for (const name of [
      'EMAIL_TRANSPORT',
      'EMAIL_FROM',
      'EMAIL_REDIRECT_ALL_TO',
      'EMAIL_BATCH',
      'EMAIL_RECEIPTS_TEMPLATE_ID',
      'EMAIL_MAX_ATTEMPTS',
    ]) {
      expect(problems.some((p) => p.startsWith(`${name}`))).toBe(true);
    }
    expect(problems.join('\n')).not.toContain('not-an-address');
  });

  it('requires EMAIL_FROM in production when SendGrid sends', () => {
    expect(findEnvProblems({ NODE_ENV: 'production', SENDGRID_API_KEY: 'SG.x' }, specs)).toEqual([
      'EMAIL_FROM: required in production with the sendgrid transport',
    ]);
    expect(
      findEnvProblems({ NODE_ENV: 'production', SENDGRID_API_KEY: 'SG.x', EMAIL_FROM: 'mail@example.com' }, specs),
    ).toEqual([]);
  });

  it('accepts a P-256 webhook key as base64 DER or PEM and refuses anything else', () => {
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const der = publicKey.export({ format: 'der', type: 'spki' }).toString('base64');
    const pem = publicKey.export({ format: 'pem', type: 'spki' }).toString();
    expect(findEnvProblems({ SENDGRID_WEBHOOK_PUBLIC_KEY: der }, specs)).toEqual([]);
    expect(findEnvProblems({ SENDGRID_WEBHOOK_PUBLIC_KEY: pem }, specs)).toEqual([]);
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 })
      .publicKey.export({ format: 'der', type: 'spki' })
      .toString('base64');
    for (const bad of ['not a key', rsa]) {
      expect(findEnvProblems({ SENDGRID_WEBHOOK_PUBLIC_KEY: bad }, specs)).toEqual([
        expect.stringMatching(/^SENDGRID_WEBHOOK_PUBLIC_KEY: must be the P-256 public key/),
      ]);
    }
  });
});
