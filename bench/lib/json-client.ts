import { Agent, request } from 'node:http';

export interface JsonResponse<T> {
  status: number;
  body: T;
}

/**
 * POSTs JSON to the app over keep-alive connections (one agent per client, at most `sockets` open): what a
 * worker's HTTP client does, without fetch's per-request cost in the benchmark process.
 */
export class JsonClient {
  private readonly agent: Agent;

  constructor(
    private readonly baseUrl: string,
    sockets: number,
  ) {
    this.agent = new Agent({ keepAlive: true, maxSockets: sockets, maxFreeSockets: sockets });
  }

  /** The response; any status other than `expected` is an error quoting the body. An aborted request rejects. */
  async post<T>(path: string, apiKey: string, body: unknown, expected: number | number[], signal?: AbortSignal): Promise<JsonResponse<T>> {
    const payload = Buffer.from(JSON.stringify(body));
    const url = new URL(path, this.baseUrl);
    const response = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = request(
        url,
        {
          method: 'POST',
          agent: this.agent,
          signal,
          headers: { 'content-type': 'application/json', 'content-length': payload.length, 'x-api-key': apiKey },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
    const allowed = Array.isArray(expected) ? expected : [expected];
    if (!allowed.includes(response.status)) {
      throw new Error(`POST ${path} answered ${response.status} (expected ${allowed.join(' or ')}): ${response.text.slice(0, 500)}`);
    }
    return { status: response.status, body: (response.text ? JSON.parse(response.text) : undefined) as T };
  }

  close(): void {
    this.agent.destroy();
  }
}
