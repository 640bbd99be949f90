export * from './member-state';
export * from './lots';
export * from './member.evolve';
export * from './member-balance';
export * from './transfer-windows';
export * from './velocity';
export * from './compact/compact-text';
export * from './compact/compact-state';
