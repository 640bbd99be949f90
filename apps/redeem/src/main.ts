import 'reflect-metadata';
import { bootstrapService } from '@tally/platform';
import { AppModule, DEFAULT_PORT, SERVICE } from './app.module';
import { RedeemConfig } from './shared/redeem.config';

void bootstrapService({ service: SERVICE, defaultPort: DEFAULT_PORT, config: RedeemConfig, module: (config) => AppModule.forRoot(config) });
