export { freePort } from '#launch';
