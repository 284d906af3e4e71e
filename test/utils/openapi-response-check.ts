import Ajv, { ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { committedOpenApi } from './committed-openapi';

/** What a supertest response offers that the check reads. */
export interface CheckedResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
  text?: string;
}

interface Route {
  template: string;
  pattern: RegExp;
  literal: boolean;
}

const SCHEMAS_ID = 'openapi.json';
let state: { ajv: Ajv; routes: Route[]; validators: Map<string, ValidateFunction> } | undefined;

/**
 * Responses may not carry fields the document does not declare: every object schema with declared properties
 * is closed here (the document leaves response objects open, as clients should tolerate additions).
 */
function closed(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(closed);
  if (typeof schema !== 'object' || schema === null) return schema;
  const copy = Object.fromEntries(Object.entries(schema).map(([key, value]) => [key, key === 'example' ? value : closed(value)]));
  if ('properties' in copy && copy.additionalProperties === undefined) copy.additionalProperties = false;
  return copy;
}

function setup() {
  if (state) return state;
  const doc = committedOpenApi();
  const ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false });
  addFormats(ajv);
  ajv.addSchema({ $id: SCHEMAS_ID, components: { schemas: closed(doc.components.schemas) } });
  const routes = Object.keys(doc.paths)
    .map((template) => ({
      template,
      literal: !template.includes('{'),
      pattern: new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`),
    }))
    // A literal path (`/jobs/claim`) wins over a template that also matches it (`/jobs/{id}`).
    .sort((a, b) => Number(b.literal) - Number(a.literal));
  state = { ajv, routes, validators: new Map() };
  return state;
}

function validatorFor(key: string, schema: unknown): ValidateFunction {
  const { ajv, validators } = setup();
  let validate = validators.get(key);
  if (!validate) {
    const rooted = JSON.parse(JSON.stringify(closed(schema)).replaceAll('"#/components/', `"${SCHEMAS_ID}#/components/`));
    validate = ajv.compile(rooted);
    validators.set(key, validate);
  }
  return validate;
}

/**
 * The problems of a response against the committed document, or [] when it conforms: its status is declared
 * for the operation, its JSON body is valid against that status's schema, its required headers are present.
 * Requests outside the document (Swagger UI, unknown routes answered 404/405) are not checked.
 */
export function responseProblems(method: string, url: string, res: CheckedResponse): string[] {
  const path = url.split('?')[0].split('#')[0];
  const route = setup().routes.find((candidate) => candidate.pattern.test(path));
  const unknownRoute = res.status === 404 || res.status === 405;
  if (!route) return path.startsWith('/docs') || unknownRoute ? [] : [`${path} is not in the document`];
  const operation = committedOpenApi().paths[route.template][method.toLowerCase()];
  if (!operation) return unknownRoute ? [] : [`${method.toUpperCase()} ${route.template} is not in the document`];

  const where = `${method.toUpperCase()} ${route.template}`;
  const response = operation.responses[String(res.status)] ?? operation.responses.default;
  if (!response) return [`${where} answered ${res.status}, a status the document does not declare for it`];
  const problems: string[] = [];
  for (const [name, header] of Object.entries((response.headers ?? {}) as Record<string, { $ref?: string; required?: boolean }>)) {
    const declared = header.$ref ? committedOpenApi().components.headers[header.$ref.split('/').pop()!] : header;
    if (declared.required && res.headers[name.toLowerCase()] === undefined) problems.push(`header ${name} is missing`);
  }
  const schema = response.content?.['application/json']?.schema;
  const contentType = String(res.headers['content-type'] ?? '');
  if (!schema) {
    // A body of another media type (GET /metrics: text/plain) conforms when the document declares that type.
    const declaredTypes = Object.keys((response.content ?? {}) as Record<string, unknown>);
    if (res.text && !declaredTypes.some((type) => contentType.startsWith(type))) {
      problems.push(`the document declares no body of type "${contentType}" for ${res.status}, but one was sent`);
    }
  } else if (!contentType.startsWith('application/json')) {
    problems.push(`content-type is "${contentType}", the document says application/json`);
  } else {
    const validate = validatorFor(`${where} ${res.status}`, schema);
    if (!validate(res.body)) {
      for (const error of validate.errors ?? []) {
        const extra = error.keyword === 'additionalProperties' ? ` (${String(error.params.additionalProperty)})` : '';
        problems.push(`body${error.instancePath} ${error.message}${extra}`);
      }
    }
  }
  return problems.map((problem) => `${where} → ${res.status}: ${problem}`);
}

/** Throws when a response is off the document (a supertest `.expect(fn)` assertion). */
export function assertOnDocument(method: string, url: string, res: CheckedResponse): void {
  const problems = responseProblems(method, url, res);
  if (problems.length === 0) return;
  const body = res.text && res.text.length > 500 ? `${res.text.slice(0, 500)}…` : res.text;
  throw new Error(`Response off openapi.json (fix the document, then \`npm run openapi\`):\n  ${problems.join('\n  ')}\nbody: ${body}`);
}
