import { loadInfrastructure, releaseInfrastructure } from './infrastructure';

export default async function globalTeardown(): Promise<void> {
  const infra = loadInfrastructure();
  if (infra && process.env.TALLY_KEEP_TEST_INFRA !== '1') await releaseInfrastructure(infra);
}
