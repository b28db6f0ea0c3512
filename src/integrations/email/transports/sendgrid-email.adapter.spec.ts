import { toMailData } from './sendgrid-email.adapter';

describe(toMailData.name, () => {
  const email = {
    from: { email: 'portico@example.com', name: 'Portico' },
    subject: 'Hi',
    text: 'plain',
    html: '<p>html</p>',
    sendAt: new Date('2026-01-01T10:00:00Z'),
    personalizations: [
      { messageId: 'id-1', to: ['a@example.com'], cc: [], bcc: ['b@example.com'] },
      { messageId: 'id-2', to: ['c@example.com'], cc: [], bcc: [] },
    ],
  };

  it('puts our id in each personalization’s custom args, text before html, send_at in Unix seconds', () => {
    expect(toMailData(email)).toMatchObject({
      from: { email: 'portico@example.com', name: 'Portico' },
      sendAt: 1767261600,
      content: [
        { type: 'text/plain', value: 'plain' },
        { type: 'text/html', value: '<p>html</p>' },
      ],
      personalizations: [
        { to: ['a@example.com'], bcc: ['b@example.com'], customArgs: { portico_message_id: 'id-1' } },
        { to: ['c@example.com'], customArgs: { portico_message_id: 'id-2' } },
      ],
    });
    expect(toMailData(email)).not.toHaveProperty('mailSettings');
  });

  it('switches sandbox mode on when asked', () => {
    expect(toMailData(email, true)).toMatchObject({ mailSettings: { sandboxMode: { enable: true } } });
  });
});
