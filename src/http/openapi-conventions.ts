import type { OpenAPIObject, ReferenceObject, SchemaObject } from '@nestjs/swagger';
import { errorExample } from '../common/api-error-responses.decorator';
import { headerRef, RESPONSE_HEADERS } from '../common/api-response-headers';
import { TENANT_KEY_SCHEME } from '../tenancy/auth/tenant-route.decorator';

type Schema = SchemaObject | ReferenceObject;

/**
 * What holds for every route because of how the app is set up (app.setup.ts), written into the document:
 * - request bodies are closed (`additionalProperties: false`): the ValidationPipe refuses unknown fields;
 * - every response carries `X-Request-Id` (the request-context middleware);
 * - a tenant route's answers after the key is verified carry `RateLimit-Policy` and `RateLimit` when a limit
 *   applies (the API-key guard): every status but `401`;
 * - a route without a security scheme is public, said explicitly with `security: []`;
 * - any route may answer `500` on an unexpected fault (ApiExceptionFilter), with the error body and no detail;
 * - a route that takes a JSON body answers `415` to a body of another media type (ApiValidationPipe).
 */
export function applyHttpConventions(document: OpenAPIObject): OpenAPIObject {
  document.components = { ...document.components, headers: { ...RESPONSE_HEADERS, ...document.components?.headers } };
  const schemas = document.components.schemas ?? {};
  const closed = new Set<string>();
  for (const pathItem of Object.values(document.paths)) {
    for (const operation of [pathItem.get, pathItem.put, pathItem.post, pathItem.delete, pathItem.patch]) {
      if (!operation) continue;
      operation.security ??= [];
      operation.responses['500'] ??= internalError();
      const tenantRoute = operation.security.some((requirement) => TENANT_KEY_SCHEME in requirement);
      for (const [status, response] of Object.entries(operation.responses)) {
        if (!response || '$ref' in response) continue;
        const rateLimited = tenantRoute && status !== '401' ? RATE_LIMIT_HEADERS : {};
        response.headers = { 'X-Request-Id': headerRef('X-Request-Id'), ...response.headers, ...rateLimited };
      }
      const body = operation.requestBody;
      if (body && !('$ref' in body)) {
        for (const media of Object.values(body.content)) if (media.schema) closeObjects(media.schema, schemas, closed);
        if (body.content['application/json']) operation.responses['415'] ??= notJson(tenantRoute);
      }
    }
  }
  return document;
}

const RATE_LIMIT_HEADERS = { 'RateLimit-Policy': headerRef('RateLimit-Policy'), RateLimit: headerRef('RateLimit') };

function notJson(tenantRoute: boolean) {
  const { example } = errorExample(415, 'Request body must be application/json, not text/plain');
  return {
    description: 'The body is not sent as `application/json`',
    headers: { 'X-Request-Id': headerRef('X-Request-Id'), ...(tenantRoute ? RATE_LIMIT_HEADERS : {}) },
    content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorDto' }, example } },
  };
}

function internalError() {
  const { description, example } = errorExample(500);
  return { description, content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorDto' }, example } } };
}

/** Sets `additionalProperties: false` on every object schema with declared properties, following `$ref`s. */
function closeObjects(schema: Schema, schemas: Record<string, Schema>, visited: Set<string>): void {
  if ('$ref' in schema) {
    const name = schema.$ref.replace('#/components/schemas/', '');
    if (visited.has(name) || !schemas[name]) return;
    visited.add(name);
    return closeObjects(schemas[name], schemas, visited);
  }
  if (schema.properties) {
    schema.additionalProperties ??= false;
    for (const property of Object.values(schema.properties)) closeObjects(property, schemas, visited);
  }
  if (schema.items) closeObjects(schema.items, schemas, visited);
  for (const part of [...(schema.allOf ?? []), ...(schema.oneOf ?? []), ...(schema.anyOf ?? [])]) closeObjects(part, schemas, visited);
}
