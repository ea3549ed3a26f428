export { decodeImage, listImages, IMAGE_EXTENSIONS } from './decode.js';
// The PNG encoder lives with the runtime, which the server shares; re-exported for tools' users.
export { encodePng } from '@oxidizedvision/runtime/node';
