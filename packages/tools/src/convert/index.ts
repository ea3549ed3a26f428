export { convertModel, type ConvertOptions, type ConvertResult } from './convert.js';
