export { chooseSeed, seededRandom, type Random } from '../../support/random.js';
