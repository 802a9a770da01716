// A model behind the C ABI: a zoo network or a TorchScript module, its flat parameter layout and its optimizer.
#pragma once

#include <torch/script.h>
#include <torch/torch.h>

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "swarm_torch.h"
#include "zoo.h"

namespace swarm {

// Errors that map to their own status codes at the ABI boundary (std::invalid_argument maps to INVALID_ARGUMENT).
struct IoError : std::runtime_error {
  using std::runtime_error::runtime_error;
};
struct UnsupportedError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct LayoutEntry {
  std::string name;
  at::Tensor tensor;
  int64_t offset;
  int64_t numel;
  bool trainable;
};

struct Model {
  std::shared_ptr<Net> zoo;
  std::unique_ptr<torch::jit::script::Module> script;
  std::vector<LayoutEntry> layout;
  int64_t total = 0;            // floats in the whole layout
  int64_t trainable_total = 0;  // floats of the trainable entries (they come first)
  std::vector<at::Tensor> trainable;

  std::unique_ptr<torch::optim::Optimizer> optimizer;
  int32_t optimizer_kind = -1;
  double optimizer_momentum = 0;
  double optimizer_weight_decay = 0;

  at::Tensor forward(const at::Tensor& images, Tape* tape = nullptr);
  void set_training(bool on);
  bool dp_capable() const { return zoo && zoo->dp_capable(); }
  void build_layout();
};

}  // namespace swarm
