import { ChildProcess, fork } from 'node:child_process';
import { join } from 'node:path';
import { Program } from '@tally/program';
import { ModelSpec, ResultSummary } from './model-commands';
import type { WorkerReply, WorkerRequest } from './model-worker';

const ROOT = join(__dirname, '../..');

/** A request before it is numbered, whichever kind it is. */
type Unnumbered = WorkerRequest extends infer R ? (R extends WorkerRequest ? Omit<R, 'id'> : never) : never;

/** Store processes of the model, each an OS process running `model-worker.ts` from its sources. */
export class ModelProcesses {
  private readonly children: ChildProcess[] = [];
  private readonly waiting = new Map<number, { resolve: (reply: WorkerReply) => void }>();
  private nextId = 0;

  static async start(count: number, url: string, programs: Record<string, Program>): Promise<ModelProcesses> {
    const processes = new ModelProcesses();
    for (let i = 0; i < count; i++) {
      const child = fork(join(__dirname, 'model-worker.ts'), [], {
        cwd: ROOT,
        execArgv: ['-r', join(ROOT, 'tools/build/swc-register.cjs'), '-r', 'reflect-metadata'],
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      });
      child.on('message', (reply: WorkerReply) => processes.waiting.get(reply.id)?.resolve(reply));
      processes.children.push(child);
    }
    await Promise.all(processes.children.map((_, i) => processes.ask(i, { type: 'init', url, programs })));
    return processes;
  }

  get count(): number {
    return this.children.length;
  }

  /** The specs executed as one batch by process `index` (modulo the count), under the program named. */
  async execute(index: number, program: string, specs: ModelSpec[]): Promise<ResultSummary[]> {
    return (await this.ask(index % this.children.length, { type: 'execute', program, specs })) ?? [];
  }

  private ask(index: number, request: Unnumbered): Promise<ResultSummary[] | undefined> {
    const id = ++this.nextId;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, {
        resolve: (reply) => {
          this.waiting.delete(id);
          if (reply.ok) resolve(reply.results);
          else reject(new Error(`store process ${index}: ${reply.error}`));
        },
      });
      this.children[index].send({ ...request, id } as WorkerRequest);
    });
  }

  async stop(): Promise<void> {
    await Promise.all(
      this.children.map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null) return resolve();
            child.once('exit', () => resolve());
            child.disconnect();
          }),
      ),
    );
  }
}
