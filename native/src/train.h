// Training and evaluation on a Model: optimizer steps (plain and DP-SGD), local epochs, prediction.
#pragma once

#include "model.h"

namespace swarm {

void validate(const swarm_train_options& options);
double train_batch(Model& model, const at::Tensor& images, const at::Tensor& labels, const swarm_train_options& options);
double train_epoch(Model& model, const at::Tensor& images, const at::Tensor& labels, const swarm_train_options& options,
                   int32_t* steps);
void predict(Model& model, const at::Tensor& images, float* probabilities, int64_t length);
void mean_gradient(Model& model, const at::Tensor& images, const at::Tensor& labels, float* gradient, int64_t length);

}  // namespace swarm
