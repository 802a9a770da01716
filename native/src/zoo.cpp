#include "zoo.h"

#include <cmath>
#include <stdexcept>

namespace swarm {
namespace {

// PyTorch's default initialisation of Conv2d/Linear (kaiming_uniform with a = sqrt(5), bias U(-1/sqrt(fan_in),
// 1/sqrt(fan_in))), so that the zoo trains like the same model written in Python.
void init_default(at::Tensor& weight, at::Tensor* bias, int64_t fan_in) {
  torch::NoGradGuard no_grad;
  torch::nn::init::kaiming_uniform_(weight, std::sqrt(5.0));
  if (bias != nullptr && bias->defined()) {
    const double bound = 1.0 / std::sqrt(static_cast<double>(fan_in));
    bias->uniform_(-bound, bound);
  }
}

at::Tensor record(Tape* tape, LayerKind kind, torch::nn::Module* layer, const at::Tensor& x, at::Tensor y) {
  if (tape != nullptr) tape->entries.push_back(TapeEntry{kind, layer, x, y});
  return y;
}

}  // namespace

Linear::Linear(int64_t in_features, int64_t out_features) {
  weight = register_parameter("weight", torch::empty({out_features, in_features}));
  bias = register_parameter("bias", torch::empty({out_features}));
  init_default(weight, &bias, in_features);
}

at::Tensor Linear::forward(const at::Tensor& x, Tape* tape) {
  return record(tape, LayerKind::Linear, this, x, at::linear(x, weight, bias));
}

Conv2d::Conv2d(int64_t in_channels, int64_t out_channels, int64_t kernel_size, int64_t stride_, int64_t padding_,
               bool with_bias)
    : kernel(kernel_size), stride(stride_), padding(padding_) {
  weight = register_parameter("weight", torch::empty({out_channels, in_channels, kernel, kernel}));
  if (with_bias) bias = register_parameter("bias", torch::empty({out_channels}));
  init_default(weight, with_bias ? &bias : nullptr, in_channels * kernel * kernel);
}

at::Tensor Conv2d::forward(const at::Tensor& x, Tape* tape) {
  return record(tape, LayerKind::Conv2d, this, x, at::conv2d(x, weight, bias, {stride, stride}, {padding, padding}));
}

GroupNorm::GroupNorm(int64_t groups_, int64_t channels) : groups(groups_) {
  weight = register_parameter("weight", torch::ones({channels}));
  bias = register_parameter("bias", torch::zeros({channels}));
}

at::Tensor GroupNorm::forward(const at::Tensor& x, Tape* tape) {
  return record(tape, LayerKind::GroupNorm, this, x, at::group_norm(x, groups, weight, bias, eps));
}

Norm::Norm(int64_t channels, bool group_norm) {
  if (group_norm) {
    group = register_module("gn", std::make_shared<GroupNorm>(std::min<int64_t>(32, channels), channels));
  } else {
    batch = register_module("bn", torch::nn::BatchNorm2d(channels));
  }
}

at::Tensor Norm::forward(const at::Tensor& x, Tape* tape) {
  return group ? group->forward(x, tape) : batch->forward(x);
}

namespace {

// conv3x3 32 -> ReLU -> max-pool -> conv3x3 64 -> ReLU -> max-pool -> fc 128 -> ReLU -> fc classes.
struct SmallCnn : Net {
  SmallCnn(int64_t in_channels, int64_t classes, int64_t image_size) {
    if (image_size % 4 != 0) throw std::invalid_argument("smallcnn needs an image size divisible by 4");
    const int64_t side = image_size / 4;
    conv1 = register_module("conv1", std::make_shared<Conv2d>(in_channels, 32, 3, 1, 1, true));
    conv2 = register_module("conv2", std::make_shared<Conv2d>(32, 64, 3, 1, 1, true));
    fc1 = register_module("fc1", std::make_shared<Linear>(64 * side * side, 128));
    fc2 = register_module("fc2", std::make_shared<Linear>(128, classes));
  }

  at::Tensor forward(const at::Tensor& x, Tape* tape) override {
    auto h = at::max_pool2d(at::relu(conv1->forward(x, tape)), {2, 2});
    h = at::max_pool2d(at::relu(conv2->forward(h, tape)), {2, 2});
    h = at::relu(fc1->forward(h.flatten(1), tape));
    return fc2->forward(h, tape);
  }

  bool dp_capable() const override { return true; }

  std::shared_ptr<Conv2d> conv1, conv2;
  std::shared_ptr<Linear> fc1, fc2;
};

struct BasicBlock : torch::nn::Module {
  BasicBlock(int64_t in_planes, int64_t planes, int64_t stride, bool group_norm) {
    conv1 = register_module("conv1", std::make_shared<Conv2d>(in_planes, planes, 3, stride, 1, false));
    norm1 = register_module("norm1", std::make_shared<Norm>(planes, group_norm));
    conv2 = register_module("conv2", std::make_shared<Conv2d>(planes, planes, 3, 1, 1, false));
    norm2 = register_module("norm2", std::make_shared<Norm>(planes, group_norm));
    if (stride != 1 || in_planes != planes) {
      shortcut_conv = register_module("shortcut_conv", std::make_shared<Conv2d>(in_planes, planes, 1, stride, 0, false));
      shortcut_norm = register_module("shortcut_norm", std::make_shared<Norm>(planes, group_norm));
    }
  }

  at::Tensor forward(const at::Tensor& x, Tape* tape) {
    auto out = at::relu(norm1->forward(conv1->forward(x, tape), tape));
    out = norm2->forward(conv2->forward(out, tape), tape);
    auto skip = shortcut_conv ? shortcut_norm->forward(shortcut_conv->forward(x, tape), tape) : x;
    return at::relu(out + skip);
  }

  std::shared_ptr<Conv2d> conv1, conv2, shortcut_conv;
  std::shared_ptr<Norm> norm1, norm2, shortcut_norm;
};

// ResNet18 as MedMNIST v2 trains it on 28x28 images: 3x3 stem with stride 1 and no max-pool, BasicBlocks
// [2, 2, 2, 2] with 64-128-256-512 planes, global average pool, fully connected classifier.
struct ResNet18 : Net {
  ResNet18(int64_t in_channels, int64_t classes, bool group_norm_) : group_norm(group_norm_) {
    stem = register_module("stem", std::make_shared<Conv2d>(in_channels, 64, 3, 1, 1, false));
    stem_norm = register_module("stem_norm", std::make_shared<Norm>(64, group_norm));
    const int64_t planes[] = {64, 128, 256, 512};
    int64_t in_planes = 64;
    for (int stage = 0; stage < 4; ++stage) {
      for (int block = 0; block < 2; ++block) {
        const int64_t stride = (stage > 0 && block == 0) ? 2 : 1;
        auto name = "layer" + std::to_string(stage + 1) + "_" + std::to_string(block);
        blocks.push_back(register_module(name, std::make_shared<BasicBlock>(in_planes, planes[stage], stride, group_norm)));
        in_planes = planes[stage];
      }
    }
    fc = register_module("fc", std::make_shared<Linear>(512, classes));
  }

  at::Tensor forward(const at::Tensor& x, Tape* tape) override {
    auto h = at::relu(stem_norm->forward(stem->forward(x, tape), tape));
    for (auto& block : blocks) h = block->forward(h, tape);
    h = at::adaptive_avg_pool2d(h, {1, 1}).flatten(1);
    return fc->forward(h, tape);
  }

  bool dp_capable() const override { return group_norm; }

  bool group_norm;
  std::shared_ptr<Conv2d> stem;
  std::shared_ptr<Norm> stem_norm;
  std::vector<std::shared_ptr<BasicBlock>> blocks;
  std::shared_ptr<Linear> fc;
};

}  // namespace

std::shared_ptr<Net> make_zoo_model(const std::string& name, int64_t in_channels, int64_t classes, int64_t image_size) {
  if (in_channels < 1 || classes < 2 || image_size < 4) {
    throw std::invalid_argument("model '" + name + "': in_channels must be >= 1, classes >= 2, image_size >= 4");
  }
  if (name == "smallcnn") return std::make_shared<SmallCnn>(in_channels, classes, image_size);
  if (name == "resnet18") return std::make_shared<ResNet18>(in_channels, classes, false);
  if (name == "resnet18-gn") return std::make_shared<ResNet18>(in_channels, classes, true);
  throw std::invalid_argument("unknown model '" + name + "' (the zoo has smallcnn, resnet18, resnet18-gn)");
}

}  // namespace swarm
