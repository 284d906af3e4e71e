import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, Page } from './pagination';
import { IsQueryInt } from './validation';

/** `limit` and `cursor` of every list route (1–100, default 50; out of range is a 400, never a silent clamp). */
export class PageQueryDto {
  /** Page size, 1–100 (decimal digits). */
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: MAX_PAGE_SIZE, default: DEFAULT_PAGE_SIZE })
  @IsOptional()
  @IsQueryInt()
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  limit?: number;

  /** The value of a previous page's `nextCursor`, as it was (opaque); omit it for the first page. */
  @ApiPropertyOptional({ maxLength: 512 })
  @IsOptional()
  @IsString()
  @MaxLength(512)
  cursor?: string;
}

export class PageDto<T> implements Page<T> {
  items: T[];
  /** Pass as `cursor` to get the next page; `null` on the last page. */
  @ApiProperty({ type: String, nullable: true })
  nextCursor: string | null;
}
