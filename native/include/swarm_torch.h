/* swarm_torch: the C ABI of Swarm's training engine over libtorch.
 *
 * Every function returns a status code (SWARM_OK or an error); the message of the last error on the calling
 * thread is returned by swarm_last_error(). No C++ exception crosses this boundary. Models are opaque handles.
 * Buffers are owned by the caller: parameters are read and written straight into caller memory laid out as one
 * flat float32 vector (see swarm_model_layout_entry), images are N x C x H x W float32, labels int64.
 */
#ifndef SWARM_TORCH_H
#define SWARM_TORCH_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SWARM_API __attribute__((visibility("default")))

enum swarm_status {
  SWARM_OK = 0,
  SWARM_INVALID_ARGUMENT = 1,
  SWARM_TORCH_ERROR = 2,
  SWARM_IO_ERROR = 3,
  SWARM_UNSUPPORTED = 4,
  SWARM_INTERNAL = 5
};

enum swarm_optimizer { SWARM_SGD = 0, SWARM_ADAM = 1 };

typedef struct swarm_model swarm_model;

/* Options of one training call. Learning rate is read on every call so the caller can apply schedules;
 * a change of optimizer kind, momentum or weight decay starts a fresh optimizer state. */
typedef struct swarm_train_options {
  int32_t optimizer;          /* swarm_optimizer */
  int32_t batch_size;         /* epoch batch size (non-DP) */
  double learning_rate;
  double momentum;            /* SGD only */
  double weight_decay;        /* L2 penalty, as torch.optim */
  int32_t dp_enabled;         /* 1: DP-SGD (per-sample clipping + Gaussian noise) */
  int32_t reserved;
  double dp_clip_norm;        /* C */
  double dp_noise_multiplier; /* sigma: noise std is sigma * C */
  double dp_sampling_rate;    /* q: Poisson sampling probability per example (epoch) */
  double dp_expected_batch;   /* divisor of a single DP batch step; <= 0 means the batch size */
  uint64_t seed;              /* shuffle / Poisson sampling / noise seed of this call */
} swarm_train_options;

SWARM_API const char* swarm_last_error(void);

/* Intra-op threads of libtorch (at::set_num_threads); the inter-op pool is pinned to 1 thread on first call. */
SWARM_API int32_t swarm_set_threads(int32_t threads);
/* Seeds libtorch's global generator (used by model initialisation). */
SWARM_API int32_t swarm_manual_seed(uint64_t seed);

/* Creates a model of the zoo: "smallcnn", "resnet18" (BatchNorm), "resnet18-gn" (GroupNorm, DP-compatible). */
SWARM_API int32_t swarm_model_create(const char* name, int32_t in_channels, int32_t classes, int32_t image_size,
                                     uint64_t seed, swarm_model** out);
/* Loads a TorchScript module (.pt) whose forward maps N x C x H x W images to N x classes logits. */
SWARM_API int32_t swarm_model_load(const char* path, swarm_model** out);
SWARM_API void swarm_model_free(swarm_model* model);

/* Parameter layout: entries are the float32 parameters (trainable) followed by float32 buffers (e.g. BatchNorm
 * running statistics; trainable = 0). Integer buffers such as num_batches_tracked are not part of the layout. */
SWARM_API int32_t swarm_model_layout(swarm_model* model, int32_t* entries, int64_t* total_floats);
SWARM_API int32_t swarm_model_layout_entry(swarm_model* model, int32_t index, const char** name, int32_t* ndim,
                                           int64_t* shape /* [8] */, int64_t* offset, int64_t* numel,
                                           int32_t* trainable);
SWARM_API int32_t swarm_model_dp_capable(swarm_model* model, int32_t* capable);

/* All parameters, in layout order; length must equal the layout's total. */
SWARM_API int32_t swarm_model_get_parameters(swarm_model* model, float* destination, int64_t length);
SWARM_API int32_t swarm_model_set_parameters(swarm_model* model, const float* source, int64_t length);
/* A subset of entries (layout indices, ascending or not), packed one after the other in the given order. */
SWARM_API int32_t swarm_model_get_subset(swarm_model* model, const int32_t* indices, int32_t count,
                                         float* destination, int64_t length);
SWARM_API int32_t swarm_model_set_subset(swarm_model* model, const int32_t* indices, int32_t count,
                                         const float* source, int64_t length);

/* One optimizer step on the given batch (DP-SGD when options->dp_enabled). loss: mean cross-entropy. */
SWARM_API int32_t swarm_model_train_batch(swarm_model* model, const float* images, const int64_t* labels,
                                          int64_t n, int32_t channels, int32_t height, int32_t width,
                                          const swarm_train_options* options, double* loss);
/* One local epoch: shuffled mini-batches, or with DP round(1/q) steps of Poisson-sampled batches. */
SWARM_API int32_t swarm_model_train_epoch(swarm_model* model, const float* images, const int64_t* labels,
                                          int64_t n, int32_t channels, int32_t height, int32_t width,
                                          const swarm_train_options* options, double* mean_loss, int32_t* steps);
/* Softmax class probabilities (n x classes, row-major) in evaluation mode. */
SWARM_API int32_t swarm_model_predict(swarm_model* model, const float* images, int64_t n, int32_t channels,
                                      int32_t height, int32_t width, float* probabilities, int64_t length);
/* Per-example gradient norms (before clipping) of the mean-free per-example loss, as DP-SGD computes them. */
SWARM_API int32_t swarm_model_per_sample_norms(swarm_model* model, const float* images, const int64_t* labels,
                                               int64_t n, int32_t channels, int32_t height, int32_t width,
                                               float* norms);
/* The gradient of the mean cross-entropy over the batch (no step), flat in layout order of trainable entries;
 * length must be the number of trainable floats. Used to check DP-SGD against plain SGD. */
SWARM_API int32_t swarm_model_gradient(swarm_model* model, const float* images, const int64_t* labels, int64_t n,
                                       int32_t channels, int32_t height, int32_t width, float* gradient,
                                       int64_t length);

#ifdef __cplusplus
}
#endif

#endif
