import type { OptionSpecs } from './command.js';

/** Options shared by several commands, so their help reads the same everywhere. */
export const DEAD_LETTER_FILTER_OPTIONS = {
  code: {
    type: 'string',
    placeholder: 'C',
    description: 'only letters with this reject code (e.g. invalid_ipv4)',
  },
  stage: {
    type: 'string',
    placeholder: 'S',
    description: 'only letters of this stage (normalizer, deduplicator, indexer)',
  },
  partner: { type: 'string', placeholder: 'P', description: 'only letters from this partner' },
} as const satisfies OptionSpecs;

export const MAX_TLP_OPTION = {
  'max-tlp': {
    type: 'string',
    placeholder: 'TLP',
    description: 'most restrictive TLP shown: clear, green, amber, amber+strict, red (default red)',
  },
} as const satisfies OptionSpecs;

export const JSON_OPTION = {
  json: { type: 'boolean', description: 'the answer as JSON, as the API gives it' },
} as const satisfies OptionSpecs;

export const PARTNER_ID_OPTION = {
  id: {
    type: 'string',
    placeholder: 'ID',
    description: 'the partner id (lower-case letters, digits, dashes)',
  },
} as const satisfies OptionSpecs;
