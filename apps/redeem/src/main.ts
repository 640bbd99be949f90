import 'reflect-metadata';
import { bootstrapService } from '@tally/platform';
import { AppModule, DEFAULT_PORT, SERVICE } from './app.module';

void bootstrapService({ service: SERVICE, defaultPort: DEFAULT_PORT, module: (config) => AppModule.forRoot(config) });
