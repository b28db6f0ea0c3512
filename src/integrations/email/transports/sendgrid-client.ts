import { Client } from '@sendgrid/client';
import type { ClientRequest } from '@sendgrid/client/src/request';
import type { SendGridConfig } from '../sendgrid.config';

/**
 * The one way to build a `@sendgrid/client` for Portico: our key, pointed at
 * SENDGRID_API_BASE (so tests run the real SDK against the local stand-in),
 * with the `sendgrid` policy's timeout per request.
 */
export function createSendGridClient(config: SendGridConfig, timeoutMs: number): Client {
  if (config.apiKey === undefined) throw new Error('SendGrid needs SENDGRID_API_KEY');
  const client = new Client();
  // setApiKey resets the base URL to SendGrid's region host, so the override comes after it.
  client.setApiKey(config.apiKey);
  client.setDefaultRequest('baseUrl', config.apiBase);
  // axios's timeout per request (the typings leave it out; @sendgrid/mail's setTimeout sets the same default).
  const defaults = { url: '', timeout: timeoutMs } satisfies ClientRequest & { timeout: number };
  client.setDefaultRequest(defaults);
  return client;
}
