export { decodeImage, listImages, IMAGE_EXTENSIONS } from './decode.js';
export { encodePng } from './png.js';
