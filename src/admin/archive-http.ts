import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { Logger, UnsupportedMediaTypeException } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { SentArchive } from '../tenancy/lifecycle/tenant-import.service';

const logger = new Logger('TenantArchive');
export const ARCHIVE_MEDIA_TYPE = 'application/gzip';
const ACCEPTED_TYPES = new Set([ARCHIVE_MEDIA_TYPE, 'application/x-gzip', 'application/octet-stream']);

/**
 * Streams an archive to the client through gzip. Once the first byte is out the status is sent, so a failure
 * later can only cut the response short: the client sees an incomplete gzip stream, which an import refuses.
 */
export function sendArchive(res: Response, filename: string, archive: Readable): Promise<void> {
  res.status(200).set({ 'Content-Type': ARCHIVE_MEDIA_TYPE, 'Content-Disposition': `attachment; filename="${filename}"` });
  return pipeline(archive, createGzip(), res).catch((error: Error) => {
    logger.warn(`export of ${filename} stopped: ${error.message}`);
  });
}

/**
 * The raw request body of an import (express.json leaves it unread for these media types), with its Content-Length
 * when sent, so an archive over the import limit is refused before its first byte is read.
 */
export function archiveBody(req: Request): SentArchive {
  const type = (req.headers['content-type'] ?? ARCHIVE_MEDIA_TYPE).split(';')[0].trim().toLowerCase();
  if (!ACCEPTED_TYPES.has(type)) {
    throw new UnsupportedMediaTypeException(`An import takes the archive as ${ARCHIVE_MEDIA_TYPE}, not ${type}`);
  }
  // The archive is read as sent: a gzip Content-Encoding around it was refused as a corrupt archive (400).
  const encoding = (req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  if (encoding !== 'identity') {
    throw new UnsupportedMediaTypeException(`An import takes the archive itself as the body (it is gzip already), without a Content-Encoding (got ${encoding})`);
  }
  const length = req.headers['content-length'];
  return { gzipped: req, size: length === undefined ? undefined : Number(length) };
}
