import 'reflect-metadata';
import { bootstrapService } from '@tally/platform';
import { AppModule, DEFAULT_PORT, SERVICE } from './app.module';
import { ExpiryConfig } from './config/expiry.config';

void bootstrapService({ service: SERVICE, defaultPort: DEFAULT_PORT, config: ExpiryConfig, module: (config) => AppModule.forRoot(config) });
