import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import fastifyStatic from '@fastify/static';
import { Injectable, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';

/** Where the console is served; the files hold no data, so they need no token (the API calls do). */
export const CONSOLE_PATH = '/console/';

/** The console's folder, found upward from here: the same from the sources (tests) and from dist/. */
export const consoleRoot = (from: string = __dirname): string => {
  for (let dir = from; dir !== dirname(dir); dir = dirname(dir)) {
    const candidate = join(dir, 'apps/ledger/console');
    if (existsSync(join(candidate, 'index.html'))) return candidate;
  }
  throw new Error(`the console's files (apps/ledger/console) were not found above ${from}`);
};

/**
 * Serves the ops console's static files and, under `vendor/`, Apache ECharts' browser build from
 * node_modules: the version the lock file pins, with no copy of a 1 MB file in the repository and
 * no CDN at run time (consoles inside store networks often reach no public CDN).
 */
@Injectable()
export class ConsoleAssets implements OnModuleInit {
  constructor(private readonly host: HttpAdapterHost) {}

  onModuleInit(): void {
    const fastify = this.host.httpAdapter.getInstance<FastifyInstance>();
    void fastify.register(fastifyStatic, { root: consoleRoot(), prefix: CONSOLE_PATH, redirect: true, index: 'index.html' });
    void fastify.register(fastifyStatic, {
      root: dirname(require.resolve('echarts/dist/echarts.min.js')),
      prefix: `${CONSOLE_PATH}vendor/`,
      decorateReply: false,
      allowedPath: (path) => path === '/echarts.min.js',
    });
  }
}
