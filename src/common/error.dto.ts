import { ApiProperty } from '@nestjs/swagger';

/** The error body of every non-2xx answer. */
export class ErrorDto {
  @ApiProperty({ example: 400 }) statusCode: number;
  @ApiProperty({ example: 'Bad Request' }) error: string;
  @ApiProperty({
    oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }],
    example: ['name must be longer than or equal to 1 characters'],
  })
  message: string | string[];
  @ApiProperty({ example: '6f1c2a1e-8a5b-4a43-9d5e-3c1f0b2d7e11' }) requestId: string;
}
