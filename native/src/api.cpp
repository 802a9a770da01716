// The C ABI: argument checks, error translation and the Model's layout. No exception leaves this file.
#include <mutex>
#include <string>

#include "dp.h"
#include "model.h"
#include "train.h"

struct swarm_model {
  swarm::Model model;
};

namespace swarm {

at::Tensor Model::forward(const at::Tensor& images, Tape* tape) {
  if (zoo) return zoo->forward(images, tape);
  return script->forward({images}).toTensor();
}

void Model::set_training(bool on) {
  if (zoo) {
    zoo->train(on);
  } else {
    script->train(on);
  }
}

void Model::build_layout() {
  std::vector<std::pair<std::string, at::Tensor>> parameters, buffers;
  if (zoo) {
    for (const auto& p : zoo->named_parameters(true)) parameters.emplace_back(p.key(), p.value());
    for (const auto& b : zoo->named_buffers(true)) buffers.emplace_back(b.key(), b.value());
  } else {
    for (const auto& p : script->named_parameters(true)) parameters.emplace_back(p.name, p.value);
    for (const auto& b : script->named_buffers(true)) buffers.emplace_back(b.name, b.value);
  }
  auto add = [this](const std::string& name, const at::Tensor& t, bool trainable) {
    if (t.scalar_type() != at::kFloat) {
      if (trainable) throw std::invalid_argument("parameter '" + name + "' is not float32");
      return;  // integer buffers (BatchNorm's num_batches_tracked) are not model state worth sharing
    }
    layout.push_back(LayoutEntry{name, t, total, t.numel(), trainable});
    total += t.numel();
  };
  for (const auto& [name, t] : parameters) {
    if (!t.requires_grad()) continue;
    add(name, t, true);
    trainable.push_back(t);
  }
  trainable_total = total;
  for (const auto& [name, t] : parameters) {
    if (!t.requires_grad()) add(name, t, false);
  }
  for (const auto& [name, t] : buffers) add(name, t, false);
}

}  // namespace swarm

namespace {

thread_local std::string last_error;

template <class Body>
int32_t guarded(Body&& body) {
  try {
    body();
    return SWARM_OK;
  } catch (const std::invalid_argument& e) {
    last_error = e.what();
    return SWARM_INVALID_ARGUMENT;
  } catch (const swarm::IoError& e) {
    last_error = e.what();
    return SWARM_IO_ERROR;
  } catch (const swarm::UnsupportedError& e) {
    last_error = e.what();
    return SWARM_UNSUPPORTED;
  } catch (const c10::Error& e) {
    last_error = std::string("libtorch: ") + e.what_without_backtrace();
    return SWARM_TORCH_ERROR;
  } catch (const std::exception& e) {
    last_error = e.what();
    return SWARM_INTERNAL;
  } catch (...) {
    last_error = "unknown native error";
    return SWARM_INTERNAL;
  }
}

void require(bool condition, const std::string& message) {
  if (!condition) throw std::invalid_argument(message);
}

swarm::Model& model_of(swarm_model* handle) {
  require(handle != nullptr, "model handle is null");
  return handle->model;
}

// Wraps caller memory without copying; the tensors never outlive the call.
at::Tensor images_of(const float* images, int64_t n, int32_t c, int32_t h, int32_t w) {
  require(n >= 0 && c > 0 && h > 0 && w > 0, "image shape must be n >= 0, channels, height, width > 0");
  require(images != nullptr || n == 0, "images pointer is null");
  return at::from_blob(const_cast<float*>(images), {n, c, h, w}, at::kFloat);
}

at::Tensor labels_of(const int64_t* labels, int64_t n) {
  require(labels != nullptr || n == 0, "labels pointer is null");
  return at::from_blob(const_cast<int64_t*>(labels), {n}, at::kLong);
}

void check_length(const swarm::Model& model, int64_t length) {
  require(length == model.total, "parameter buffer holds " + std::to_string(length) + " floats, the layout has " +
                                     std::to_string(model.total));
}

std::mutex creation_mutex;

}  // namespace

extern "C" {

const char* swarm_last_error(void) { return last_error.c_str(); }

int32_t swarm_set_threads(int32_t threads) {
  return guarded([&] {
    require(threads >= 1, "threads must be >= 1");
    at::set_num_threads(threads);
    // The inter-op pool can only be sized before its first use; one thread keeps runs reproducible.
    static std::once_flag interop;
    std::call_once(interop, [] {
      try {
        at::set_num_interop_threads(1);
      } catch (const c10::Error&) {
        // Already started by an earlier user of libtorch in this process: keep its size.
      }
    });
  });
}

int32_t swarm_manual_seed(uint64_t seed) {
  return guarded([&] { torch::manual_seed(seed); });
}

int32_t swarm_model_create(const char* name, int32_t in_channels, int32_t classes, int32_t image_size, uint64_t seed,
                           swarm_model** out) {
  return guarded([&] {
    require(name != nullptr && out != nullptr, "name and out must not be null");
    auto handle = std::make_unique<swarm_model>();
    {
      // Initialisation draws from libtorch's global generator: seed it and build under one lock.
      std::lock_guard<std::mutex> lock(creation_mutex);
      torch::manual_seed(seed);
      handle->model.zoo = swarm::make_zoo_model(name, in_channels, classes, image_size);
    }
    handle->model.build_layout();
    handle->model.set_training(true);
    *out = handle.release();
  });
}

int32_t swarm_model_load(const char* path, swarm_model** out) {
  return guarded([&] {
    require(path != nullptr && out != nullptr, "path and out must not be null");
    auto handle = std::make_unique<swarm_model>();
    try {
      handle->model.script = std::make_unique<torch::jit::script::Module>(torch::jit::load(path));
    } catch (const c10::Error& e) {
      throw swarm::IoError(std::string("cannot load TorchScript module '") + path + "': " + e.what_without_backtrace());
    }
    handle->model.build_layout();
    handle->model.set_training(true);
    *out = handle.release();
  });
}

void swarm_model_free(swarm_model* model) { delete model; }

int32_t swarm_model_layout(swarm_model* handle, int32_t* entries, int64_t* total_floats) {
  return guarded([&] {
    auto& model = model_of(handle);
    require(entries != nullptr && total_floats != nullptr, "output pointers must not be null");
    *entries = static_cast<int32_t>(model.layout.size());
    *total_floats = model.total;
  });
}

int32_t swarm_model_layout_entry(swarm_model* handle, int32_t index, const char** name, int32_t* ndim, int64_t* shape,
                                 int64_t* offset, int64_t* numel, int32_t* trainable) {
  return guarded([&] {
    auto& model = model_of(handle);
    require(index >= 0 && index < static_cast<int32_t>(model.layout.size()), "layout index out of range");
    require(name && ndim && shape && offset && numel && trainable, "output pointers must not be null");
    const auto& e = model.layout[index];
    require(e.tensor.dim() <= 8, "parameter '" + e.name + "' has more than 8 dimensions");
    *name = e.name.c_str();
    *ndim = static_cast<int32_t>(e.tensor.dim());
    for (int64_t d = 0; d < e.tensor.dim(); ++d) shape[d] = e.tensor.size(d);
    *offset = e.offset;
    *numel = e.numel;
    *trainable = e.trainable ? 1 : 0;
  });
}

int32_t swarm_model_dp_capable(swarm_model* handle, int32_t* capable) {
  return guarded([&] {
    require(capable != nullptr, "capable must not be null");
    *capable = model_of(handle).dp_capable() ? 1 : 0;
  });
}

int32_t swarm_model_get_parameters(swarm_model* handle, float* destination, int64_t length) {
  return guarded([&] {
    auto& model = model_of(handle);
    check_length(model, length);
    require(destination != nullptr || length == 0, "destination is null");
    torch::NoGradGuard no_grad;
    for (const auto& e : model.layout) {
      at::from_blob(destination + e.offset, e.tensor.sizes(), at::kFloat).copy_(e.tensor);
    }
  });
}

int32_t swarm_model_set_parameters(swarm_model* handle, const float* source, int64_t length) {
  return guarded([&] {
    auto& model = model_of(handle);
    check_length(model, length);
    require(source != nullptr || length == 0, "source is null");
    torch::NoGradGuard no_grad;
    for (auto& e : model.layout) {
      e.tensor.copy_(at::from_blob(const_cast<float*>(source) + e.offset, e.tensor.sizes(), at::kFloat));
    }
  });
}

namespace {

// Checks the indices and that the packed subset has exactly `length` floats.
void check_subset(const swarm::Model& model, const int32_t* indices, int32_t count, int64_t length) {
  require(count >= 0 && (indices != nullptr || count == 0), "subset indices are null");
  int64_t floats = 0;
  for (int32_t i = 0; i < count; ++i) {
    require(indices[i] >= 0 && indices[i] < static_cast<int32_t>(model.layout.size()),
            "subset index " + std::to_string(indices[i]) + " is out of range");
    floats += model.layout[indices[i]].numel;
  }
  require(floats == length, "subset buffer holds " + std::to_string(length) + " floats, the entries have " +
                                std::to_string(floats));
}

}  // namespace

int32_t swarm_model_get_subset(swarm_model* handle, const int32_t* indices, int32_t count, float* destination,
                               int64_t length) {
  return guarded([&] {
    auto& model = model_of(handle);
    check_subset(model, indices, count, length);
    torch::NoGradGuard no_grad;
    int64_t offset = 0;
    for (int32_t i = 0; i < count; ++i) {
      const auto& e = model.layout[indices[i]];
      at::from_blob(destination + offset, e.tensor.sizes(), at::kFloat).copy_(e.tensor);
      offset += e.numel;
    }
  });
}

int32_t swarm_model_set_subset(swarm_model* handle, const int32_t* indices, int32_t count, const float* source,
                               int64_t length) {
  return guarded([&] {
    auto& model = model_of(handle);
    check_subset(model, indices, count, length);
    torch::NoGradGuard no_grad;
    int64_t offset = 0;
    for (int32_t i = 0; i < count; ++i) {
      auto& e = model.layout[indices[i]];
      e.tensor.copy_(at::from_blob(const_cast<float*>(source) + offset, e.tensor.sizes(), at::kFloat));
      offset += e.numel;
    }
  });
}

int32_t swarm_model_train_batch(swarm_model* handle, const float* images, const int64_t* labels, int64_t n,
                                int32_t channels, int32_t height, int32_t width, const swarm_train_options* options,
                                double* loss) {
  return guarded([&] {
    auto& model = model_of(handle);
    require(options != nullptr && loss != nullptr, "options and loss must not be null");
    *loss = swarm::train_batch(model, images_of(images, n, channels, height, width), labels_of(labels, n), *options);
  });
}

int32_t swarm_model_train_epoch(swarm_model* handle, const float* images, const int64_t* labels, int64_t n,
                                int32_t channels, int32_t height, int32_t width, const swarm_train_options* options,
                                double* mean_loss, int32_t* steps) {
  return guarded([&] {
    auto& model = model_of(handle);
    require(options != nullptr && mean_loss != nullptr, "options and mean_loss must not be null");
    *mean_loss = swarm::train_epoch(model, images_of(images, n, channels, height, width), labels_of(labels, n),
                                    *options, steps);
  });
}

int32_t swarm_model_predict(swarm_model* handle, const float* images, int64_t n, int32_t channels, int32_t height,
                            int32_t width, float* probabilities, int64_t length) {
  return guarded([&] {
    auto& model = model_of(handle);
    require(probabilities != nullptr || length == 0, "probabilities is null");
    swarm::predict(model, images_of(images, n, channels, height, width), probabilities, length);
  });
}

int32_t swarm_model_per_sample_norms(swarm_model* handle, const float* images, const int64_t* labels, int64_t n,
                                     int32_t channels, int32_t height, int32_t width, float* norms) {
  return guarded([&] {
    auto& model = model_of(handle);
    require(norms != nullptr || n == 0, "norms is null");
    model.set_training(true);
    auto result = swarm::per_sample_gradient_norms(model, images_of(images, n, channels, height, width),
                                                   labels_of(labels, n));
    at::from_blob(norms, {n}, at::kFloat).copy_(result);
  });
}

int32_t swarm_model_gradient(swarm_model* handle, const float* images, const int64_t* labels, int64_t n,
                             int32_t channels, int32_t height, int32_t width, float* gradient, int64_t length) {
  return guarded([&] {
    auto& model = model_of(handle);
    require(n > 0 && gradient != nullptr, "gradient needs a non-empty batch and a buffer");
    swarm::mean_gradient(model, images_of(images, n, channels, height, width), labels_of(labels, n), gradient, length);
  });
}

}  // extern "C"
