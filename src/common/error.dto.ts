import { ApiProperty } from '@nestjs/swagger';
import { RESPONSE_HEADERS } from './api-response-headers';

/** The error body of every non-2xx answer (each response of the document carries an example of its own status). */
export class ErrorDto {
  /** The HTTP status of the answer. */
  @ApiProperty({ type: 'integer', minimum: 400, maximum: 599 }) statusCode: number;
  /** The reason phrase of the status (`Bad Request`, `Not Found` …). */
  @ApiProperty() error: string;
  /** What went wrong: one message, or every validation problem of the request, each naming its field. */
  @ApiProperty({ oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] })
  message: string | string[];
  /** The `X-Request-Id` of the answer. */
  @ApiProperty({ pattern: RESPONSE_HEADERS['X-Request-Id'].schema.pattern }) requestId: string;
}
