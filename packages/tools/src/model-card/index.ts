export { readModelCard, writeModelCard } from './card.js';
