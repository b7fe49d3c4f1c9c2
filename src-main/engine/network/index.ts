// Networks and tunnels: interface classes, providers, the Android-style migration and the hour's ledger.
export * from './interfaces.js';
export * from './providers.js';
export * from './migrate.js';
export * from './find.js';
export * from './ledger.js';
export * from './sockets.js';
export * from './routes.js';
export * from './stage.js';
export * from './uplink-parse.js';
export * from './uplinks.js';
export * from './uplink-map.js';
export * from './network-rows.js';
export * from './split.js';
