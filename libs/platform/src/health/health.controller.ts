import { Controller, Get, HttpException, HttpStatus } from '@nestjs/common';
import { ApiOkResponse, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { Public } from '../auth/roles.decorator';
import { S, objectSchema } from '../bootstrap/openapi-schema';
import { HealthReport, HealthService } from './health.service';

const failing = (report: HealthReport): string[] =>
  Object.entries(report.checks)
    .filter(([, result]) => result.status === 'down')
    .map(([name]) => name);

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(private readonly health: HealthService) {}

  /** Readiness: every dependency answers. */
  @Public()
  @Get()
  @ApiOkResponse({
    description: 'every check is up',
    schema: objectSchema(
      { status: S.string, checks: { type: 'object', additionalProperties: true } },
      { status: 'ok', checks: { postgres: { status: 'up' }, kafka: { status: 'up' } } },
    ),
  })
  @ApiServiceUnavailableResponse({ description: 'at least one check is down' })
  async readiness(): Promise<HealthReport> {
    const report = await this.health.report();
    if (report.status === 'ok') return report;
    // The filter passes bodies with a snake_case `error` through, so the checks stay in the 503.
    throw new HttpException({ ...report, error: 'unavailable', message: `down: ${failing(report).join(', ')}` }, HttpStatus.SERVICE_UNAVAILABLE);
  }

  /** Liveness: the process runs and its event loop answers; dependencies do not matter here. */
  @Public()
  @Get('live')
  @ApiOkResponse({ description: 'the process answers', schema: objectSchema({ status: S.string }, { status: 'ok' }) })
  liveness(): { status: 'ok' } {
    return { status: 'ok' };
  }
}
