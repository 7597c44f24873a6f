export * from './redis-options.js';
export * from './redis.service.js';
export * from './event-publisher.js';
export * from './channel-subscriber.js';
export * from './presence.service.js';
export * from './bus.module.js';
export * from './cancel-requests.js';
export * from './redis-unavailable.js';
