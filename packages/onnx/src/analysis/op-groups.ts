/**
 * Elementwise ops of one tensor input (activations and pointwise math): the output has the input's shape
 * and type, and costs one multiply-accumulate per element. Shape inference and the MAC count both read it.
 */
export const ELEMENTWISE_UNARY: readonly string[] = [
  'Relu',
  'LeakyRelu',
  'PRelu',
  'Sigmoid',
  'Tanh',
  'HardSigmoid',
  'HardSwish',
  'Elu',
  'Selu',
  'Celu',
  'Gelu',
  'Mish',
  'Softplus',
  'Softsign',
  'Clip',
  'Erf',
  'Exp',
  'Log',
  'Sqrt',
  'Neg',
  'Abs',
  'Reciprocal',
];
