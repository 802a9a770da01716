// The model zoo: SmallCnn and the MedMNIST ResNet18 (BatchNorm or GroupNorm), written with explicit forwards.
//
// Owning the forward lets DP-SGD capture each layer's input and output on a Tape, the way Opacus' hooks do,
// so that per-example gradients can be formed from activations and backprops (see dp.h).
#pragma once

#include <torch/torch.h>

#include <memory>
#include <string>
#include <vector>

namespace swarm {

enum class LayerKind { Linear, Conv2d, GroupNorm };

// One captured layer application: its input activation and its output (whose gradient is the backprop).
struct TapeEntry {
  LayerKind kind;
  torch::nn::Module* layer;
  at::Tensor input;
  at::Tensor output;
};

struct Tape {
  std::vector<TapeEntry> entries;
};

struct Linear : torch::nn::Module {
  Linear(int64_t in_features, int64_t out_features);
  at::Tensor forward(const at::Tensor& x, Tape* tape);
  at::Tensor weight, bias;
};

struct Conv2d : torch::nn::Module {
  Conv2d(int64_t in_channels, int64_t out_channels, int64_t kernel, int64_t stride, int64_t padding, bool with_bias);
  at::Tensor forward(const at::Tensor& x, Tape* tape);
  at::Tensor weight, bias;  // bias undefined when with_bias is false
  int64_t kernel, stride, padding;
};

struct GroupNorm : torch::nn::Module {
  GroupNorm(int64_t groups, int64_t channels);
  at::Tensor forward(const at::Tensor& x, Tape* tape);
  at::Tensor weight, bias;
  int64_t groups;
  double eps = 1e-5;
};

// BatchNorm2d or GroupNorm, chosen when the model is built.
struct Norm : torch::nn::Module {
  Norm(int64_t channels, bool group_norm);
  at::Tensor forward(const at::Tensor& x, Tape* tape);
  std::shared_ptr<GroupNorm> group;
  torch::nn::BatchNorm2d batch{nullptr};
};

struct Net : torch::nn::Module {
  virtual at::Tensor forward(const at::Tensor& x, Tape* tape) = 0;
  // True when every trainable parameter belongs to a Linear, Conv2d or GroupNorm layer (no BatchNorm).
  virtual bool dp_capable() const = 0;
};

// Builds a zoo model; throws std::invalid_argument naming the model on an unknown name or bad shape.
std::shared_ptr<Net> make_zoo_model(const std::string& name, int64_t in_channels, int64_t classes, int64_t image_size);

}  // namespace swarm
