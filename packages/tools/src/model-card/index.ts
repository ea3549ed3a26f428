export { readModelCard, writeModelCard, MODEL_CARD_VERSION, type ModelCard, type CardFile } from './card.js';
