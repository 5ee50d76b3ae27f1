// Package nn builds neural-network modules on the autodiff engine: named
// activations, named weight initialisers, a Linear layer, a multilayer
// perceptron (MLP) configured from YAML, and a binary format to save and load
// parameters for checkpoints.
//
// Conventions. Weights are stored [fanIn, fanOut] row-major, so a layer maps a
// batch x [B, fanIn] to x·W + b with b a [1, fanOut] row broadcast over the
// batch (PyTorch stores the transpose, [out, in], and computes x·Wᵀ + b). The
// defaults follow the HNN reference code (Greydanus et al. 2019): orthogonal
// initialisation, tanh activations, no bias on the last layer, biases
// initialised to zero. All randomness comes from a caller-supplied
// *rand.Rand, so the same seed gives the same network.
package nn
