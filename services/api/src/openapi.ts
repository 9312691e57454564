import { MAX_EXPORT_INDICATORS, MAX_LOOKUP_OBSERVABLES, MAX_PAGE_SIZE } from '@dragnet/lookup';
import {
  DEFAULT_OBSERVABLES_PER_RATE_UNIT,
  MAX_OBSERVABLE_CHARACTERS,
  MAX_QUERY_CHARACTERS,
  MAX_QUERY_NESTING,
} from './limits.js';

const errorResponse = (description: string) => ({
  description,
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
});
const common = {
  '401': errorResponse(
    'Missing or unknown API key (`unauthorized`), an expired key (`key_expired`) or a revoked one (`key_revoked`)',
  ),
  '429': errorResponse(
    `Rate limit of the key exceeded; see Retry-After. A request costs one unit, a bulk lookup one per ${DEFAULT_OBSERVABLES_PER_RATE_UNIT} observables (by default)`,
  ),
  '503': errorResponse(
    'Elasticsearch or Redis unavailable (`unavailable`), a search too slow (`search_timeout`), or the audit trail not being written (`audit_unavailable`: no request is answered unrecorded); retry',
  ),
};
const queryParameter = {
  name: 'q',
  in: 'query',
  description: `Lucene query-string syntax over the indicator fields, e.g. \`threat.indicator.type:url AND dragnet.score:>=70\`. Empty: everything. Refused with 400: regular expressions (\`/…/\`, \`regex_not_allowed\`), fuzzy or proximity (\`~\`, \`fuzzy_not_allowed\`), parentheses nested over ${MAX_QUERY_NESTING} (\`query_too_deep\`), leading wildcards (\`invalid_query\`). Quote or escape a literal \`/\` or \`~\`.`,
  schema: { type: 'string', maxLength: MAX_QUERY_CHARACTERS },
};

/** Served at `/openapi.json`; kept next to the routes it describes. */
export const OPENAPI_DOCUMENT = {
  openapi: '3.1.0',
  info: {
    title: 'Dragnet lookup API',
    version: '1.0.0',
    description:
      "Ask whether Dragnet knows an observable. Values may be defanged (`hxxp://evil[.]com`) and written in any case; they are canonicalised exactly as the pipeline does. Documents marked above the key's maximum TLP are never returned. Every lookup, search and export request is recorded in Dragnet's audit trail (key, organisation, what was asked and answered); the `X-Request-Id` response header names its record.",
  },
  security: [{ bearer: [] }, { apiKey: [] }],
  paths: {
    '/v1/indicators/{value}': {
      get: {
        summary: 'One indicator by its observable value',
        parameters: [
          {
            name: 'value',
            in: 'path',
            required: true,
            description: 'Percent-encoded observable',
            schema: { type: 'string', maxLength: MAX_OBSERVABLE_CHARACTERS },
          },
        ],
        responses: {
          '200': {
            description: 'The merged indicator document',
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  required: ['id', 'document'],
                  properties: { id: { type: 'string' }, document: { type: 'object' } },
                },
              },
            },
          },
          '400': errorResponse('Not a recognisable observable, or over the length limit (`too_long`)'),
          '404': errorResponse("Unknown (or above the key's TLP)"),
          ...common,
        },
      },
    },
    '/v1/lookup': {
      post: {
        summary: `Up to ${MAX_LOOKUP_OBSERVABLES} observables at once`,
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: {
                type: 'object',
                required: ['observables'],
                properties: {
                  observables: {
                    type: 'array',
                    maxItems: MAX_LOOKUP_OBSERVABLES,
                    description: `Longer strings than ${MAX_OBSERVABLE_CHARACTERS} characters come back in \`invalid\` as \`too_long\`, non-strings as \`not_a_string\``,
                    items: { type: 'string', maxLength: MAX_OBSERVABLE_CHARACTERS },
                  },
                },
              },
            },
          },
        },
        responses: {
          '200': {
            description: 'Matches, unknown inputs and invalid inputs with reasons',
            content: { 'application/json': { schema: { $ref: '#/components/schemas/LookupResult' } } },
          },
          '400': errorResponse('Malformed JSON, wrong body shape, or JSON nested too deep'),
          '413': errorResponse(
            "Body too large, or too many observables (over the API's maximum, or over what the key's whole minute pays for)",
          ),
          '415': errorResponse('Content-Type is not application/json'),
          ...common,
        },
      },
    },
    '/v1/search': {
      get: {
        summary: 'Query-string search, newest first, paged by cursor',
        parameters: [
          queryParameter,
          {
            name: 'size',
            in: 'query',
            schema: { type: 'integer', minimum: 1, maximum: MAX_PAGE_SIZE, default: 100 },
          },
          {
            name: 'cursor',
            in: 'query',
            description: '`next_cursor` of the previous page',
            schema: { type: 'string' },
          },
        ],
        responses: {
          '200': {
            description: 'One page',
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  properties: {
                    total: { type: 'integer' },
                    indicators: { type: 'array', items: { $ref: '#/components/schemas/Indicator' } },
                    next_cursor: { type: ['string', 'null'] },
                  },
                },
              },
            },
          },
          '400': errorResponse('Invalid or refused query, size or cursor'),
          ...common,
        },
      },
    },
    '/v1/export/stix': {
      get: {
        summary: 'Search results as a STIX 2.1 bundle',
        parameters: [
          queryParameter,
          {
            name: 'limit',
            in: 'query',
            schema: { type: 'integer', minimum: 1, maximum: MAX_EXPORT_INDICATORS, default: 1000 },
          },
        ],
        responses: {
          '200': {
            description:
              'Bundle of indicators (patterns), their observables (deterministic ids), based-on relationships, partner identities with sightings, TLP 2.0 marking definitions',
            content: { 'application/stix+json;version=2.1': { schema: { type: 'object' } } },
          },
          '400': errorResponse('Invalid or refused query, or invalid limit'),
          ...common,
        },
      },
    },
  },
  components: {
    securitySchemes: {
      bearer: { type: 'http', scheme: 'bearer' },
      apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
    },
    schemas: {
      Error: {
        type: 'object',
        required: ['error'],
        properties: {
          error: {
            type: 'object',
            required: ['code', 'message'],
            properties: { code: { type: 'string' }, message: { type: 'string' } },
          },
        },
      },
      Indicator: {
        type: 'object',
        properties: {
          id: { type: 'string' },
          kind: { type: 'string' },
          value: { type: 'string' },
          type: { type: 'string', description: 'ECS threat.indicator.type' },
          score: { type: 'number', minimum: 0, maximum: 100 },
          confidence: { type: 'string', enum: ['None', 'Low', 'Medium', 'High'] },
          tlp: { type: 'string' },
          active: { type: 'boolean' },
          expired: { type: 'boolean' },
          suppressed: { type: 'boolean' },
          first_seen: { type: 'string', format: 'date-time' },
          last_seen: { type: 'string', format: 'date-time' },
          threat_names: { type: 'array', items: { type: 'string' } },
          vulnerabilities: { type: 'array', items: { type: 'string' }, description: 'CVE ids, upper case' },
          warninglists: {
            type: 'array',
            items: { type: 'object', properties: { name: { type: 'string' }, action: { type: 'string' } } },
          },
          sources: { type: 'array', items: { type: 'object' } },
        },
      },
      LookupResult: {
        type: 'object',
        properties: {
          matches: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                inputs: { type: 'array', items: { type: 'string' } },
                matched_by: { type: 'string', enum: ['observable', 'network', 'url_fragment'] },
                indicator: { $ref: '#/components/schemas/Indicator' },
              },
            },
          },
          unknown: { type: 'array', items: { type: 'string' } },
          invalid: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                index: { type: 'integer' },
                input: { type: 'string' },
                reason: { type: 'string' },
                message: { type: 'string' },
              },
            },
          },
        },
      },
    },
  },
} as const;
