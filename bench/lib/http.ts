import http from 'node:http';

const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

export interface Answer {
  status: number;
  body: string;
  /** Milliseconds from sending the request to the last byte of the answer. */
  ms: number;
}

/** One HTTP request over a keep-alive connection pool (lighter than fetch for the load generator). */
export function request(method: string, url: string, key: string, body?: string, timeoutMs = 30_000): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const headers: http.OutgoingHttpHeaders = { authorization: `Bearer ${key}` };
    if (body !== undefined) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = Buffer.byteLength(body);
    }
    const req = http.request(url, { method, headers, agent, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), ms: performance.now() - started }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${url} timed out after ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}
