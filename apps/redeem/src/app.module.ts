import { DynamicModule, Module } from '@nestjs/common';
import { serviceImports, serviceProviders } from '@tally/service-kit';
import { HOLD_EXPIRY_OPTIONS, HoldExpiryJob } from './holds/hold-expiry.job';
import { HoldsController } from './holds/holds.controller';
import { HoldsService } from './holds/holds.service';
import { RedemptionsController } from './redemptions/redemptions.controller';
import { RedemptionsService } from './redemptions/redemptions.service';
import { RewardStock } from './redemptions/reward-stock.repository';
import { RewardsController } from './rewards/rewards.controller';
import { IdempotentLedger } from './shared/idempotent-ledger';
import { MemberLookup } from './shared/member-lookup.query';
import { RedeemConfig } from './shared/redeem.config';
import { ChallengeRepository } from './challenges/challenge.repository';
import { ChallengesController } from './challenges/challenges.controller';
import { StepUp } from './challenges/step-up.service';
import { TransfersController } from './transfers/transfers.controller';
import { TransfersService } from './transfers/transfers.service';

export const SERVICE = 'redeem';
export const DEFAULT_PORT = 3002;

/** The redeem service: redemptions, holds and transfers over HTTP, and the release of holds whose ttl ended. */
@Module({})
export class AppModule {
  static forRoot(config: RedeemConfig): DynamicModule {
    // Messaging for the step-up codes sent on loyalty.notifications.v1.
    const kit = { service: SERVICE, config, messaging: true };
    return {
      module: AppModule,
      imports: serviceImports(kit),
      controllers: [RedemptionsController, HoldsController, RewardsController, TransfersController, ChallengesController],
      providers: [
        ...serviceProviders(kit),
        { provide: HOLD_EXPIRY_OPTIONS, useValue: { intervalMs: config.TALLY_HOLD_EXPIRY_INTERVAL_MS } },
        IdempotentLedger,
        MemberLookup,
        RewardStock,
        RedemptionsService,
        HoldsService,
        TransfersService,
        ChallengeRepository,
        StepUp,
        HoldExpiryJob,
      ],
    };
  }
}
