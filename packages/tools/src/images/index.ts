export { listImages, IMAGE_EXTENSIONS } from './decode.js';
// The sharp decoder and the PNG encoder live with the runtime, which the server shares; re-exported for tools' users.
export { decodeImage, encodePng } from '@oxidizedvision/runtime/node';
