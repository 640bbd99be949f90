import 'reflect-metadata';
import { bootstrapService } from '@tally/platform';
import { AppModule, DEFAULT_PORT, SERVICE } from './app.module';
import { LedgerConfig } from './ledger.config';

void bootstrapService({ service: SERVICE, defaultPort: DEFAULT_PORT, config: LedgerConfig, module: (config) => AppModule.forRoot(config) });
