import { CliError, EXIT_USAGE } from './exit-codes';

export interface ClientOptions {
  url: string;
  token?: string;
}

/** A request body streamed from a file. */
export interface StreamedBody {
  stream: ReadableStream;
  contentType: string;
}

const isStreamed = (body: unknown): body is StreamedBody =>
  typeof body === 'object' && body !== null && (body as StreamedBody).stream instanceof ReadableStream;

/** The ledger's HTTP API with the caller's bearer token; an error answer becomes a `CliError` with its body. */
export class ApiClient {
  constructor(private readonly options: ClientOptions) {
    if (!options.token) throw new CliError('no token: set TALLY_TOKEN or pass --token', EXIT_USAGE);
  }

  async get<T>(path: string, query: Record<string, string | number | boolean | undefined> = {}): Promise<T> {
    return (await this.json(await this.request('GET', path, query))) as T;
  }

  async post<T>(path: string, body: unknown): Promise<{ status: number; body: T }> {
    const response = await this.request('POST', path, {}, body);
    return { status: response.status, body: (await this.json(response)) as T };
  }

  /** The raw response, for streams (exports); a body is JSON, or a stream sent as it is read (imports). */
  async request(method: string, path: string, query: Record<string, string | number | boolean | undefined>, body?: unknown): Promise<Response> {
    const url = new URL(path, this.options.url.endsWith('/') ? this.options.url : `${this.options.url}/`);
    for (const [key, value] of Object.entries(query)) if (value !== undefined) url.searchParams.set(key, String(value));
    let response: Response;
    try {
      response = await fetch(url, { method, ...this.bodyOf(body) } as RequestInit);
    } catch (error) {
      throw new CliError(`cannot reach ${url.origin}: ${(error as Error & { cause?: Error }).cause?.message ?? (error as Error).message}`);
    }
    if (response.status >= 400) {
      const text = await response.text();
      let parsed: { error?: string; message?: string } | undefined;
      try {
        parsed = JSON.parse(text) as { error?: string; message?: string };
      } catch {
        parsed = undefined;
      }
      throw new CliError(`${method} ${url.pathname} answered ${response.status} ${parsed?.error ?? ''}: ${parsed?.message ?? text}`, 1, parsed ?? text);
    }
    return response;
  }

  private bodyOf(body: unknown): RequestInit & { duplex?: 'half' } {
    const auth = { Authorization: `Bearer ${this.options.token}` };
    if (body === undefined) return { headers: auth };
    if (isStreamed(body)) return { headers: { ...auth, 'content-type': body.contentType }, body: body.stream, duplex: 'half' };
    return { headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify(body) };
  }

  private async json(response: Response): Promise<unknown> {
    const text = await response.text();
    return text === '' ? null : JSON.parse(text);
  }
}
