export { decodeImage, listImages, IMAGE_EXTENSIONS } from './decode.js';
