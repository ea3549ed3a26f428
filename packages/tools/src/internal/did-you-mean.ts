// Kept so tools' public `didYouMean` export stays where it was; the implementation is runtime's.
export { didYouMean, editDistance } from '@oxidizedvision/runtime/schema';
