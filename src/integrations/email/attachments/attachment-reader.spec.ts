import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { base64Length } from './attachment-policy';
import { base64Of } from './attachment-reader';

describe(base64Of.name, () => {
  it.each([0, 1, 2, 3, 4, 5, 1000, 65_537])(
    'encodes %i bytes arriving in odd-sized chunks exactly as a whole',
    async (size) => {
      const bytes = randomBytes(size);
      const chunks = [];
      for (let i = 0; i < bytes.length; i += 7) chunks.push(bytes.subarray(i, i + 7));
      const encoded = await base64Of(Readable.from(chunks));
      expect(encoded).toBe(bytes.toString('base64'));
      expect(encoded.length).toBe(base64Length(size));
    },
  );
});
