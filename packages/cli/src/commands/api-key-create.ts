import { dateOption, numberOption, requiredOption, tlpOption } from '../args.js';
import { defineCommand } from '../command.js';

export const apiKeyCreateCommand = defineCommand({
  name: 'api-key create',
  summary: 'a new lookup API key and its hashed entry for API_KEYS',
  usage: '--id ID [--max-tlp amber] [--rate-per-minute 600] [--organisation ORG] [--expires-at YYYY-MM-DD]',
  options: {
    id: {
      type: 'string',
      placeholder: 'ID',
      description: "the key's name in logs, metrics and the audit trail",
    },
    'max-tlp': {
      type: 'string',
      placeholder: 'TLP',
      description: 'most restrictive TLP the key may read (default amber)',
    },
    'rate-per-minute': {
      type: 'string',
      placeholder: 'N',
      description: 'rate-limit units per minute (default 600)',
    },
    organisation: { type: 'string', placeholder: 'ORG', description: 'who holds the key (default: the id)' },
    'expires-at': {
      type: 'string',
      placeholder: 'YYYY-MM-DD',
      description: 'refused from this day on (UTC)',
    },
  },
  needs: [],
  async run({ values }) {
    const id = requiredOption('api-key create', 'id', values.id);
    const [{ createApiKey }, { parseTlpLevel }] = await Promise.all([
      import('@dragnet/api-keys'),
      import('@dragnet/lookup'),
    ]);
    const { key, entry } = createApiKey(
      id,
      tlpOption(values['max-tlp'], 'amber', parseTlpLevel),
      numberOption('rate-per-minute', values['rate-per-minute'], 600),
      {
        ...(values.organisation ? { organisation: values.organisation } : {}),
        ...(values['expires-at']
          ? { expiresAt: new Date(dateOption('expires-at', values['expires-at'])) }
          : {}),
      },
    );
    console.log(`key (shown once; give it to the client): ${key}`);
    console.log(`entry for API_KEYS: ${JSON.stringify(entry)}`);
    return 0;
  },
});
