/**
 * A JSON object as stored in a jsonb column (metadata, payload, result, log data); validated as one by
 * `IsJsonObject`. Values stay `any` because TypeORM's deep-partial insert types recurse without end on a
 * recursive JSON value type.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type JsonObject = Record<string, any>;
