import type { LoadRequest, LoadStep } from './load';

export const LIST_PATH = '/targets?limit=20';

/** GET /targets?limit=20, the key of each request the next in `keys`, round robin across all connections. */
export function listTargetsSteps(keys: string[]): LoadStep[] {
  let next = 0;
  return [
    {
      method: 'GET',
      path: LIST_PATH,
      setupRequest: (request) => ({ ...request, headers: { ...request.headers, 'x-api-key': keys[next++ % keys.length] } }),
    },
  ];
}

/** POST /targets with one key, a new name each request (a taken name would be a 409); `label` keeps scenarios apart. */
export function createTargetSteps(apiKey: string, label: string): LoadStep[] {
  let next = 0;
  const run = `${label}-${Date.now().toString(36)}`;
  return [
    {
      method: 'POST',
      path: '/targets',
      setupRequest: (request) => ({
        ...request,
        headers: { ...request.headers, 'x-api-key': apiKey },
        body: JSON.stringify({ name: `bench-${run}-${next++}`, address: 'https://bench.example', tags: ['bench'], metadata: { rack: 'b7' } }),
      }),
    },
  ];
}

export interface WriterTenant {
  apiKey: string;
  targetId: string;
}

/**
 * A worker's loop: POST /jobs, POST /jobs/claim, POST /jobs/{id}/complete. Every loop takes the next tenant,
 * round robin, so the loops in flight at once are on different tenants (with more tenants than connections)
 * and a claim finds the job its own loop created. A claim that answers 204 restarts the loop.
 * autocannon gives each connection a fresh `context` at the start of every loop.
 */
export function writeSteps(tenants: WriterTenant[]): LoadStep[] {
  let loops = 0;
  const json = (value: unknown) => JSON.stringify(value);
  const keyed = (request: LoadRequest, context: Record<string, unknown>, body: unknown): LoadRequest => ({
    ...request,
    headers: { ...request.headers, 'x-api-key': tenants[context.tenant as number].apiKey },
    body: json(body),
  });
  return [
    {
      method: 'POST',
      path: '/jobs',
      setupRequest: (request, context) => {
        const loop = loops++;
        context.tenant = loop % tenants.length;
        context.worker = `bench-worker-${loop}`;
        return keyed(request, context, { targetId: tenants[context.tenant as number].targetId, type: 'bench', payload: { loop } });
      },
    },
    {
      method: 'POST',
      path: '/jobs/claim',
      setupRequest: (request, context) => keyed(request, context, { workerId: context.worker }),
      onResponse: (status, body, context) => {
        context.claimed = status === 200 ? (JSON.parse(body) as { id: string }).id : undefined;
      },
    },
    {
      method: 'POST',
      path: '/jobs/claimed/complete',
      setupRequest: (request, context) =>
        context.claimed
          ? { ...keyed(request, context, { workerId: context.worker, result: { ok: true } }), path: `/jobs/${context.claimed as string}/complete` }
          : null,
    },
  ];
}
