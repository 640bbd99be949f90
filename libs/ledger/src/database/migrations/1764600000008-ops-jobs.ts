import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `ops_jobs`: audits and replays run as jobs that outlive a request and a process. A running job
 * beats its `heartbeat_at`; one whose heartbeat stopped (its process died) is claimed again by the
 * next runner and resumed from the start, up to `max_attempts`, then reported failed. At most one
 * job of a kind and scope is queued or running (the partial unique index): asking twice joins it.
 */
export class OpsJobs1764600000008 implements MigrationInterface {
  name = 'OpsJobs1764600000008';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE ops_jobs (
        id           uuid        PRIMARY KEY,
        kind         text        NOT NULL,
        scope        jsonb       NOT NULL DEFAULT '{}',
        scope_key    text        COLLATE "C" NOT NULL,
        options      jsonb       NOT NULL DEFAULT '{}',
        state        text        NOT NULL CHECK (state IN ('queued', 'running', 'done', 'failed')),
        done         bigint      NOT NULL DEFAULT 0,
        total        bigint,
        attempts     integer     NOT NULL DEFAULT 0,
        max_attempts integer     NOT NULL DEFAULT 3,
        created_at   timestamptz NOT NULL DEFAULT now(),
        started_at   timestamptz,
        heartbeat_at timestamptz,
        finished_at  timestamptz,
        result       jsonb,
        error        text
      )`);
    await q.query(`CREATE UNIQUE INDEX ops_jobs_one_active ON ops_jobs (kind, scope_key) WHERE state IN ('queued', 'running')`);
    await q.query(`CREATE INDEX ops_jobs_created ON ops_jobs (created_at DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE ops_jobs`);
  }
}
