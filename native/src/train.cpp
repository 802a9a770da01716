#include "train.h"

#include <ATen/CPUGeneratorImpl.h>

#include <cmath>

#include "dp.h"

namespace swarm {
namespace {

// Prediction runs in batches of this many images to bound activation memory.
constexpr int64_t PredictBatchMax = 256;

void set_learning_rate(torch::optim::Optimizer& optimizer, int32_t kind, double lr) {
  for (auto& group : optimizer.param_groups()) {
    if (kind == SWARM_SGD) {
      static_cast<torch::optim::SGDOptions&>(group.options()).lr(lr);
    } else {
      static_cast<torch::optim::AdamOptions&>(group.options()).lr(lr);
    }
  }
}

// The optimizer state survives across calls (momentum, Adam moments) unless its kind or hyper-parameters change.
torch::optim::Optimizer& optimizer_for(Model& model, const swarm_train_options& o) {
  if (!model.optimizer || model.optimizer_kind != o.optimizer || model.optimizer_momentum != o.momentum ||
      model.optimizer_weight_decay != o.weight_decay) {
    if (o.optimizer == SWARM_SGD) {
      model.optimizer = std::make_unique<torch::optim::SGD>(
          model.trainable, torch::optim::SGDOptions(o.learning_rate).momentum(o.momentum).weight_decay(o.weight_decay));
    } else {
      model.optimizer = std::make_unique<torch::optim::Adam>(
          model.trainable, torch::optim::AdamOptions(o.learning_rate).weight_decay(o.weight_decay));
    }
    model.optimizer_kind = o.optimizer;
    model.optimizer_momentum = o.momentum;
    model.optimizer_weight_decay = o.weight_decay;
  }
  set_learning_rate(*model.optimizer, o.optimizer, o.learning_rate);
  return *model.optimizer;
}

double plain_step(Model& model, const at::Tensor& images, const at::Tensor& labels, const swarm_train_options& o) {
  auto& optimizer = optimizer_for(model, o);
  model.set_training(true);
  optimizer.zero_grad();
  auto loss = at::cross_entropy_loss(model.forward(images), labels);
  loss.backward();
  optimizer.step();
  return loss.item<double>();
}

// DP-SGD (Abadi et al. 2016, Algorithm 1): sum of clipped per-example gradients plus N(0, sigma^2 C^2) per
// coordinate, divided by the expected batch size (Poisson sampling makes the actual size random). Returns the
// summed loss of the batch.
double dp_step(Model& model, const at::Tensor& images, const at::Tensor& labels, const swarm_train_options& o,
               double expected_batch, at::Generator& generator) {
  auto& optimizer = optimizer_for(model, o);
  model.set_training(true);
  const double loss_sum = clipped_gradient_sum(model, images, labels, o.dp_clip_norm);
  {
    torch::NoGradGuard no_grad;
    const double noise_std = o.dp_noise_multiplier * o.dp_clip_norm;
    for (auto& p : model.trainable) {
      auto& grad = p.mutable_grad();
      if (noise_std > 0) grad.add_(at::randn(grad.sizes(), generator, grad.options()), noise_std);
      grad.div_(expected_batch);
    }
  }
  optimizer.step();
  return loss_sum;
}

at::Generator make_generator(uint64_t seed) { return at::make_generator<at::CPUGeneratorImpl>(seed); }

}  // namespace

void validate(const swarm_train_options& o) {
  if (o.optimizer != SWARM_SGD && o.optimizer != SWARM_ADAM) throw std::invalid_argument("optimizer must be 0 (SGD) or 1 (Adam)");
  if (!(o.learning_rate > 0) || !std::isfinite(o.learning_rate)) throw std::invalid_argument("learning rate must be > 0");
  if (o.momentum < 0 || o.momentum >= 1) throw std::invalid_argument("momentum must be in [0, 1)");
  if (o.weight_decay < 0) throw std::invalid_argument("weight decay must be >= 0");
  if (o.batch_size < 1) throw std::invalid_argument("batch size must be >= 1");
  if (o.dp_enabled) {
    if (!(o.dp_clip_norm > 0)) throw std::invalid_argument("DP clip norm must be > 0");
    if (o.dp_noise_multiplier < 0) throw std::invalid_argument("DP noise multiplier must be >= 0");
    if (!(o.dp_sampling_rate > 0) || o.dp_sampling_rate > 1) throw std::invalid_argument("DP sampling rate must be in (0, 1]");
  }
}

double train_batch(Model& model, const at::Tensor& images, const at::Tensor& labels, const swarm_train_options& o) {
  validate(o);
  if (images.size(0) == 0) throw std::invalid_argument("a training batch needs at least one example");
  if (!o.dp_enabled) return plain_step(model, images, labels, o);
  auto generator = make_generator(o.seed);
  const double expected = o.dp_expected_batch > 0 ? o.dp_expected_batch : static_cast<double>(images.size(0));
  return dp_step(model, images, labels, o, expected, generator) / static_cast<double>(images.size(0));
}

double train_epoch(Model& model, const at::Tensor& images, const at::Tensor& labels, const swarm_train_options& o,
                   int32_t* steps) {
  validate(o);
  const int64_t n = images.size(0);
  if (n == 0) throw std::invalid_argument("a training epoch needs at least one example");
  auto generator = make_generator(o.seed);
  double loss_sum = 0;
  int64_t seen = 0;
  int32_t count = 0;
  if (!o.dp_enabled) {
    auto order = at::randperm(n, generator, at::TensorOptions().dtype(at::kLong));
    for (int64_t start = 0; start < n; start += o.batch_size) {
      auto index = order.slice(0, start, std::min(n, start + o.batch_size));
      const double loss = plain_step(model, images.index_select(0, index), labels.index_select(0, index), o);
      loss_sum += loss * static_cast<double>(index.size(0));
      seen += index.size(0);
      ++count;
    }
  } else {
    // Poisson sampling: every example joins each step's batch independently with probability q; an epoch is
    // round(1/q) steps, so each example is visited once in expectation.
    const int64_t total_steps = std::max<int64_t>(1, std::llround(1.0 / o.dp_sampling_rate));
    const double expected = o.dp_sampling_rate * static_cast<double>(n);
    for (int64_t step = 0; step < total_steps; ++step) {
      auto index = (at::rand({n}, generator) < o.dp_sampling_rate).nonzero().squeeze(1);
      loss_sum += dp_step(model, images.index_select(0, index), labels.index_select(0, index), o, expected, generator);
      seen += index.size(0);
      ++count;
    }
  }
  if (steps != nullptr) *steps = count;
  return seen > 0 ? loss_sum / static_cast<double>(seen) : 0.0;
}

void predict(Model& model, const at::Tensor& images, float* probabilities, int64_t length) {
  const int64_t n = images.size(0);
  torch::NoGradGuard no_grad;
  model.set_training(false);
  for (int64_t start = 0; start < n; start += PredictBatchMax) {
    const int64_t end = std::min(n, start + PredictBatchMax);
    auto probs = at::softmax(model.forward(images.slice(0, start, end)), 1);
    const int64_t classes = probs.size(1);
    if (length != n * classes) {
      model.set_training(true);
      throw std::invalid_argument("probability buffer holds " + std::to_string(length) + " floats, the model gives " +
                                  std::to_string(n) + " x " + std::to_string(classes));
    }
    at::from_blob(probabilities + start * classes, {end - start, classes}, at::kFloat).copy_(probs);
  }
  model.set_training(true);
}

void mean_gradient(Model& model, const at::Tensor& images, const at::Tensor& labels, float* gradient, int64_t length) {
  if (length != model.trainable_total) {
    throw std::invalid_argument("gradient buffer holds " + std::to_string(length) + " floats, the model has " +
                                std::to_string(model.trainable_total) + " trainable floats");
  }
  model.set_training(true);
  for (auto& p : model.trainable) p.mutable_grad() = at::Tensor();
  at::cross_entropy_loss(model.forward(images), labels).backward();
  torch::NoGradGuard no_grad;
  int64_t offset = 0;
  for (auto& p : model.trainable) {
    auto destination = at::from_blob(gradient + offset, p.sizes(), at::kFloat);
    if (p.grad().defined()) destination.copy_(p.grad()); else destination.zero_();
    offset += p.numel();
    p.mutable_grad() = at::Tensor();
  }
}

}  // namespace swarm
