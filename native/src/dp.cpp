#include "dp.h"

#include <ATen/Parallel.h>

#include <unordered_map>

// oneDNN's row-major SGEMM (declared in oneapi/dnnl/dnnl.h, whose header Debian does not ship; the C ABI is stable
// across oneDNN 2.x): C = alpha * op(A) * op(B) + beta * C.
extern "C" int dnnl_sgemm(char transa, char transb, int64_t m, int64_t n, int64_t k, float alpha, const float* a,
                          int64_t lda, const float* b, int64_t ldb, float beta, float* c, int64_t ldc);

namespace swarm {
namespace {

// Per-example gradients of one layer are materialised at most this many floats at a time (128 MiB).
constexpr int64_t ChunkFloatsMax = int64_t{1} << 25;

struct Captured {
  const TapeEntry* entry;
  at::Tensor input;     // activation entering the layer, detached
  at::Tensor backprop;  // d(sum of per-example losses) / d(layer output)
  at::Tensor cached;    // per-example weight gradients when small enough to keep, else undefined
};

// Per-example convolution weight gradients grad_i = backprop_i [Cout x L] * cols_i^T [L x K] for examples
// [start, end), one SGEMM per example spread over the intra-op threads (each SGEMM runs on one thread, so the
// result does not depend on the thread count).
at::Tensor per_example_conv_grads(const at::Tensor& backprops, const at::Tensor& cols, int64_t start, int64_t end) {
  auto g = backprops.slice(0, start, end).contiguous();
  auto a = cols.slice(0, start, end).contiguous();
  const int64_t cout = g.size(1), l = g.size(2), k = a.size(1);
  auto out = at::empty({end - start, cout, k}, g.options());
  const float* gp = g.data_ptr<float>();
  const float* ap = a.data_ptr<float>();
  float* op = out.data_ptr<float>();
  at::parallel_for(0, end - start, 1, [&](int64_t begin, int64_t finish) {
    for (int64_t i = begin; i < finish; ++i) {
      const int status = dnnl_sgemm('N', 'T', cout, k, l, 1.0f, gp + i * cout * l, l, ap + i * k * l, l, 0.0f,
                                    op + i * cout * k, k);
      if (status != 0) throw std::runtime_error("oneDNN sgemm failed with status " + std::to_string(status));
    }
  });
  return out;
}

at::Tensor unfold(const Conv2d& conv, const at::Tensor& input) {
  return at::im2col(input, {conv.kernel, conv.kernel}, {1, 1}, {conv.padding, conv.padding}, {conv.stride, conv.stride});
}

// Adds each example's squared gradient norm of this layer to norms2 (shape [n]).
void add_squared_norms(Captured& c, LayerKind kind, torch::nn::Module* layer, at::Tensor& norms2) {
  const auto& a = c.input;
  const auto& g = c.backprop;
  const int64_t n = a.size(0);
  switch (kind) {
    case LayerKind::Linear: {
      // grad_W_i = g_i a_i^T, so |grad_W_i|^2 = |g_i|^2 |a_i|^2 (rank one); the bias gradient is g_i.
      norms2.add_(g.pow(2).sum(1) * (a.pow(2).sum(1) + 1.0));
      break;
    }
    case LayerKind::Conv2d: {
      // Unfolded (im2col) activations turn the convolution into a matmul per example:
      // grad_W_i = backprop_i [Cout x L] * unfold(a_i)^T [L x Cin*k*k].
      auto& conv = static_cast<Conv2d&>(*layer);
      auto cols = unfold(conv, a);
      auto gm = g.flatten(2);
      const int64_t per_example = gm.size(1) * cols.size(1);
      const int64_t chunk = std::max<int64_t>(1, ChunkFloatsMax / per_example);
      if (chunk >= n) {
        c.cached = per_example_conv_grads(gm, cols, 0, n);
        norms2.add_(c.cached.pow(2).sum({1, 2}));
      } else {
        for (int64_t start = 0; start < n; start += chunk) {
          const int64_t end = std::min(n, start + chunk);
          auto part = per_example_conv_grads(gm, cols, start, end);
          norms2.slice(0, start, end).add_(part.pow(2).sum({1, 2}));
        }
      }
      if (conv.bias.defined()) norms2.add_(gm.sum(2).pow(2).sum(1));
      break;
    }
    case LayerKind::GroupNorm: {
      // y = x_hat * weight + bias per channel: grad_weight_i = sum over positions of x_hat_i * backprop_i.
      auto& norm = static_cast<GroupNorm&>(*layer);
      auto x_hat = at::group_norm(a, norm.groups, {}, {}, norm.eps);
      c.cached = (x_hat * g).sum({2, 3});
      norms2.add_(c.cached.pow(2).sum(1));
      norms2.add_(g.sum({2, 3}).pow(2).sum(1));
      break;
    }
  }
}

// Sets the layer's parameter gradients to sum_i factor_i * grad_i.
void set_weighted_sum(const Captured& c, LayerKind kind, torch::nn::Module* layer, const at::Tensor& factor) {
  const auto& a = c.input;
  const auto& g = c.backprop;
  switch (kind) {
    case LayerKind::Linear: {
      auto& linear = static_cast<Linear&>(*layer);
      auto scaled = g * factor.unsqueeze(1);
      linear.weight.mutable_grad() = scaled.t().mm(a);
      linear.bias.mutable_grad() = scaled.sum(0);
      break;
    }
    case LayerKind::Conv2d: {
      auto& conv = static_cast<Conv2d&>(*layer);
      auto gm = g.flatten(2);
      if (c.cached.defined()) {
        conv.weight.mutable_grad() = factor.unsqueeze(0).mm(c.cached.flatten(1)).view(conv.weight.sizes());
      } else {
        auto cols = unfold(conv, a);
        auto scaled = gm * factor.view({-1, 1, 1});
        const int64_t n = gm.size(0), cout = gm.size(1), l = gm.size(2);
        auto lhs = scaled.transpose(0, 1).reshape({cout, n * l});
        auto rhs = cols.transpose(1, 2).reshape({n * l, cols.size(1)});
        conv.weight.mutable_grad() = lhs.mm(rhs).view(conv.weight.sizes());
      }
      if (conv.bias.defined()) conv.bias.mutable_grad() = factor.unsqueeze(0).mm(gm.sum(2)).squeeze(0);
      break;
    }
    case LayerKind::GroupNorm: {
      auto& norm = static_cast<GroupNorm&>(*layer);
      norm.weight.mutable_grad() = factor.unsqueeze(0).mm(c.cached).squeeze(0);
      norm.bias.mutable_grad() = factor.unsqueeze(0).mm(g.sum({2, 3})).squeeze(0);
      break;
    }
  }
}


// One batched forward recording every Linear/Conv2d/GroupNorm application, one batched backward to the layer
// outputs only (no parameter gradients are formed there). With a summed loss, row i of each backprop is the
// gradient of example i's own loss, because no layer of a DP-capable model mixes examples. Returns the
// per-example gradient norms; the tape entries stay alive in `tape` for the second pass.
at::Tensor capture_norms(Model& model, const at::Tensor& images, const at::Tensor& labels, Tape& tape,
                         std::vector<Captured>& layers, double& loss_sum) {
  if (!model.dp_capable()) {
    throw UnsupportedError(
        "DP-SGD needs a model whose trainable layers are Linear, Conv2d or GroupNorm (use smallcnn or resnet18-gn; "
        "BatchNorm mixes examples, and TorchScript modules are not traced per example)");
  }
  auto logits = model.forward(images, &tape);
  auto loss = at::cross_entropy_loss(logits, labels, {}, at::Reduction::Sum);
  std::vector<at::Tensor> outputs;
  outputs.reserve(tape.entries.size());
  for (const auto& e : tape.entries) outputs.push_back(e.output);
  auto backprops = torch::autograd::grad({loss}, outputs);
  loss_sum = loss.item<double>();
  torch::NoGradGuard no_grad;
  auto norms2 = torch::zeros({images.size(0)});
  layers.clear();
  layers.reserve(tape.entries.size());
  for (size_t i = 0; i < tape.entries.size(); ++i) {
    layers.push_back(Captured{&tape.entries[i], tape.entries[i].input.detach(), backprops[i], {}});
    add_squared_norms(layers.back(), tape.entries[i].kind, tape.entries[i].layer, norms2);
  }
  return norms2.sqrt_();
}

}  // namespace

at::Tensor per_sample_gradient_norms(Model& model, const at::Tensor& images, const at::Tensor& labels) {
  Tape tape;
  std::vector<Captured> layers;
  double loss_sum = 0;
  return capture_norms(model, images, labels, tape, layers, loss_sum);
}

double clipped_gradient_sum(Model& model, const at::Tensor& images, const at::Tensor& labels, double clip_norm) {
  for (auto& p : model.trainable) p.mutable_grad() = at::zeros_like(p);
  if (images.size(0) == 0) return 0;
  Tape tape;
  std::vector<Captured> layers;
  double loss_sum = 0;
  auto norms = capture_norms(model, images, labels, tape, layers, loss_sum);
  torch::NoGradGuard no_grad;
  // Opacus' clip factor: min(1, C / (|g_i| + 1e-6)).
  auto factor = (clip_norm / (norms + 1e-6)).clamp_max_(1.0);
  std::unordered_map<const void*, int> covered;
  for (const auto& c : layers) {
    set_weighted_sum(c, c.entry->kind, c.entry->layer, factor);
    for (const auto& p : c.entry->layer->parameters(false)) covered[p.unsafeGetTensorImpl()]++;
  }
  for (const auto& p : model.trainable) {
    if (covered[p.unsafeGetTensorImpl()] != 1) {
      throw UnsupportedError("DP-SGD: a trainable parameter is not used exactly once by a Linear, Conv2d or GroupNorm "
                             "layer, so its per-example gradient is unknown");
    }
  }
  return loss_sum;
}

}  // namespace swarm
