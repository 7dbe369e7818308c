/*===- CApi.h - the runtime's C interface, over DLPack tensors ----*- C -*-===//
 *
 * A small C surface over vsla::rt::Module for callers that are not C++: a
 * language binding through a foreign-function interface (Python's ctypes:
 * python/vsla_runtime), a plugin host. Tensors cross as DLPack tensors, so
 * any framework's arrays (NumPy, PyTorch, CuPy, JAX) go in and results come
 * out without copies, in host or CUDA device memory as the function's device
 * says. Every function that can fail returns NULL on success and an error
 * message otherwise ("invalid_argument: ..."), which the caller frees with
 * vsla_free_string. See docs/runtime.md.
 *
 *===----------------------------------------------------------------------===*/

#ifndef VSLA_RUNTIME_CAPI_H
#define VSLA_RUNTIME_CAPI_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* DLPack's tensor structs (the DLPack 0.8 ABI), under our own names so that
 * this header can be included beside dlpack.h. */
enum { VSLA_DL_CPU = 1, VSLA_DL_CUDA = 2 };
enum { VSLA_DL_INT = 0, VSLA_DL_UINT = 1, VSLA_DL_FLOAT = 2, VSLA_DL_BFLOAT = 4,
       VSLA_DL_BOOL = 6 };

typedef struct {
  int32_t device_type;
  int32_t device_id;
} vsla_dl_device_t;

typedef struct {
  uint8_t code;
  uint8_t bits;
  uint16_t lanes;
} vsla_dl_data_type_t;

typedef struct {
  void *data;
  vsla_dl_device_t device;
  int32_t ndim;
  vsla_dl_data_type_t dtype;
  int64_t *shape;
  int64_t *strides; /* in elements; NULL: row-major */
  uint64_t byte_offset;
} vsla_dl_tensor_t;

typedef struct vsla_dl_managed_tensor {
  vsla_dl_tensor_t dl_tensor;
  void *manager_ctx;
  void (*deleter)(struct vsla_dl_managed_tensor *self);
} vsla_dl_managed_tensor_t;

typedef struct vsla_module vsla_module_t;

/* Loads an artifact file (vsla-compile, vsla.export). */
char *vsla_module_load(const char *path, vsla_module_t **module);
void vsla_module_release(vsla_module_t *module);

/* The module's functions: name, device ("host" or "cuda"), how many
 * arguments the caller passes and how many results come back. */
size_t vsla_module_function_count(const vsla_module_t *module);
const char *vsla_module_function_name(const vsla_module_t *module,
                                      size_t index);
const char *vsla_module_function_device(const vsla_module_t *module,
                                        size_t index);
size_t vsla_module_function_arguments(const vsla_module_t *module,
                                      size_t index);
size_t vsla_module_function_results(const vsla_module_t *module, size_t index);
/* The user metadata the producer stored (vsla.export's Python signature). */
const char *vsla_module_user_metadata(const vsla_module_t *module,
                                      size_t *bytes);

/* Calls `function` on `arguments` (borrowed: the caller keeps them alive for
 * the call) and stores its results in `results[0 .. *result_count)`: DLPack
 * tensors the caller owns and releases through their deleter (or hands to a
 * framework, which does). A host function takes CPU tensors (any strides); a
 * cuda function takes contiguous tensors on CUDA device 0 and returns its
 * results there. A scalar argument is a rank-0 CPU tensor. */
char *vsla_module_call(vsla_module_t *module, const char *function,
                       const vsla_dl_tensor_t *const *arguments,
                       size_t argument_count,
                       vsla_dl_managed_tensor_t **results,
                       size_t result_capacity, size_t *result_count);

void vsla_free_string(char *message);

#ifdef __cplusplus
}
#endif

#endif /* VSLA_RUNTIME_CAPI_H */
