import 'reflect-metadata';
import { ConsumerConfig, bootstrapService } from '@tally/platform';
import { AppModule, DEFAULT_PORT, SERVICE } from './app.module';

void bootstrapService({ service: SERVICE, defaultPort: DEFAULT_PORT, config: ConsumerConfig, module: (config) => AppModule.forRoot(config) });
