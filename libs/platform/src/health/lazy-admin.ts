import { Admin } from 'kafkajs';

/**
 * One long-lived kafkajs admin client, connected on first use. Work that fails drops it (the
 * connection may be what failed), so the next use connects again.
 */
export class LazyAdmin {
  private admin?: Promise<Admin>;

  constructor(private readonly create: () => Admin) {}

  async use<T>(work: (admin: Admin) => Promise<T>): Promise<T> {
    try {
      return await work(await (this.admin ??= this.connect()));
    } catch (error) {
      await this.reset();
      throw error;
    }
  }

  async reset(): Promise<void> {
    const admin = this.admin;
    this.admin = undefined;
    await admin?.then((a) => a.disconnect()).catch(() => undefined);
  }

  private async connect(): Promise<Admin> {
    const admin = this.create();
    try {
      await admin.connect();
      return admin;
    } catch (error) {
      await admin.disconnect().catch(() => undefined);
      throw error;
    }
  }
}
