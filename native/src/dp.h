// DP-SGD's per-example gradients without a loop over examples.
//
// As in Opacus (Yousefpour et al. 2021, "Opacus: User-Friendly Differential Privacy Library in PyTorch") and
// Goodfellow 2015 ("Efficient Per-Example Gradient Computation"): a layer's per-example weight gradient is formed
// from the activation that entered the layer and the backprop (gradient of the summed loss w.r.t. the layer's
// output), both captured on a Tape during one batched forward and one batched backward.
#pragma once

#include "model.h"

namespace swarm {

// Per-example L2 norms of the full gradient of each example's cross-entropy loss (before clipping), shape [n].
at::Tensor per_sample_gradient_norms(Model& model, const at::Tensor& images, const at::Tensor& labels);

// Sets each trainable parameter's .grad to sum_i clip(g_i, C) where clip scales g_i to norm at most C (Abadi et
// al. 2016, Algorithm 1). Returns the summed loss of the batch. An empty batch yields zero gradients.
double clipped_gradient_sum(Model& model, const at::Tensor& images, const at::Tensor& labels, double clip_norm);

}  // namespace swarm
