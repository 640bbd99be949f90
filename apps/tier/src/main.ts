import 'reflect-metadata';
import { bootstrapService } from '@tally/platform';
import { AppModule, DEFAULT_PORT, SERVICE } from './app.module';
import { TierConfig } from './config/tier.config';

void bootstrapService({ service: SERVICE, defaultPort: DEFAULT_PORT, config: TierConfig, module: (config) => AppModule.forRoot(config) });
