import { ENV_SPECS, findEnvProblems as findAll } from '../../config/env.validation';
import type { RawEnv } from '../../config/env-rules';
import { declaredProviderConfigs } from '../../config/provider-config';
import { deliverabilityConfig } from './deliverability.config';
import { EmailModule } from './email.module';
import { sendgridConfig } from './sendgrid.config';

const findEnvProblems = (env: RawEnv): string[] => findAll(env, [...ENV_SPECS, sendgridConfig.env]);

describe('sendgrid config', () => {
  it('is declared by the email module, so start-up finds and validates it', () => {
    expect(declaredProviderConfigs([EmailModule])).toEqual([sendgridConfig, deliverabilityConfig]);
  });

  it('asks for SENDGRID_API_KEY once the API base is set, and refuses a webhook key that is not P-256', () => {
    expect(findEnvProblems({ SENDGRID_API_BASE: 'http://127.0.0.1:1' })).toEqual([
      'SENDGRID_API_KEY: required for email delivery (SendGrid) because SENDGRID_API_BASE is set',
    ]);
    expect(findEnvProblems({ SENDGRID_WEBHOOK_PUBLIC_KEY: 'bm90IGEga2V5' })).toEqual([
      expect.stringMatching(/^SENDGRID_WEBHOOK_PUBLIC_KEY: must be the P-256 public key/),
    ]);
  });

  it('names the missing variable until the key is set, and keeps its defaults', () => {
    const saved = { ...process.env };
    try {
      delete process.env.SENDGRID_API_KEY;
      delete process.env.SENDGRID_API_BASE;
      expect(sendgridConfig()).toMatchObject({
        configured: false,
        missing: ['SENDGRID_API_KEY'],
        apiBase: 'https://api.sendgrid.com',
        webhookToleranceSeconds: 600,
        sandboxMode: false,
      });
      process.env.SENDGRID_API_KEY = 'SG.x';
      expect(sendgridConfig()).toMatchObject({ configured: true, missing: undefined });
    } finally {
      process.env = saved;
    }
  });
});
