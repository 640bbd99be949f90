import 'reflect-metadata';
import { bootstrapService } from '@tally/platform';
import { AppModule, DEFAULT_PORT, SERVICE } from './app.module';
import { EarnConfig } from './earn.config';

void bootstrapService({ service: SERVICE, defaultPort: DEFAULT_PORT, config: EarnConfig, module: (config) => AppModule.forRoot(config) });
