export * from './member.fixtures';
