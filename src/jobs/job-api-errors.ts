/** Error answers that the job routes share, for `ApiErrorResponses`. */
export const JOB_NOT_FOUND = { status: 404, description: 'No such job in this tenant', message: 'Job not found' } as const;
export const BAD_JOB_ID = { status: 400, message: 'id must be a UUID' } as const;
