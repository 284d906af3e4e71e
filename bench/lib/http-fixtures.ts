/** One GET /targets?limit=20 that must answer 200 with `expected` items: the scenario measures the real thing. */
export async function assertTargetList(url: string, apiKey: string, expected: number): Promise<void> {
  const response = await fetch(`${url}/targets?limit=20`, { headers: { 'x-api-key': apiKey } });
  const body = (await response.json()) as { items?: unknown[] };
  if (response.status !== 200 || body.items?.length !== expected) {
    throw new Error(`GET /targets?limit=20 answered ${response.status} with ${body.items?.length ?? 'no'} items (expected ${expected})`);
  }
}

/** One POST /targets that must answer 201 with the target (a fresh name each call). */
export async function assertTargetCreate(url: string, apiKey: string): Promise<void> {
  const name = `bench-check-${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
  const response = await fetch(`${url}/targets`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': apiKey },
    body: JSON.stringify({ name, address: 'https://bench.example' }),
  });
  const body = (await response.json()) as { name?: string; createdAt?: string };
  if (response.status !== 201 || body.name !== name || typeof body.createdAt !== 'string') {
    throw new Error(`POST /targets answered ${response.status} (expected 201 with the target): ${JSON.stringify(body)}`);
  }
}

/** One worker loop by hand (create, claim, complete), so the write scenario starts on routes that work. */
export async function assertWorkerLoop(url: string, apiKey: string, targetId: string): Promise<void> {
  const post = async (path: string, body: unknown, expected: number) => {
    const response = await fetch(`${url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': apiKey },
      body: JSON.stringify(body),
    });
    const text = await response.text();
    if (response.status !== expected) throw new Error(`POST ${path} answered ${response.status} (expected ${expected}): ${text}`);
    return JSON.parse(text) as { id: string; status: string };
  };
  await post('/jobs', { targetId, type: 'bench-check' }, 201);
  const claimed = await post('/jobs/claim', { workerId: 'bench-check' }, 200); // this job, or one an earlier round left queued
  if (claimed.status !== 'running') throw new Error(`a claimed job is "${claimed.status}"`);
  const done = await post(`/jobs/${claimed.id}/complete`, { workerId: 'bench-check' }, 200);
  if (done.status !== 'succeeded') throw new Error(`a completed job is "${done.status}"`);
}
