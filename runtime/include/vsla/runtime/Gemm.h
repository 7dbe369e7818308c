//===- Gemm.h - dense matrix products through BLAS --------------*- C++ -*-===//
//
// Compiled code computes f32 and f64 matmuls by calling these functions: a
// well-kept BLAS (Debian's OpenBLAS, loaded with dlopen on first use) packs,
// blocks and threads the product far better than generated loops do. The compiler passes the operands' overlap views
// (the ambient-promotion logic stays in generated code), so each call is
// exactly C += A * B on strided views, in MLIR's C ABI for memrefs.
//
//===----------------------------------------------------------------------===//

#ifndef VSLA_RUNTIME_GEMM_H
#define VSLA_RUNTIME_GEMM_H

#include <cstdint>

namespace vsla::rt {

/// MLIR's StridedMemRefType<T, Rank> (mlir/ExecutionEngine/CRunnerUtils.h).
template <typename T, int Rank> struct StridedMemRef {
  T *allocated;
  T *aligned;
  int64_t offset;
  int64_t sizes[Rank];
  int64_t strides[Rank];
};

/// The BLAS library's thread count (see Threads.h).
void setBlasThreads(int threads);

} // namespace vsla::rt

extern "C" {
/// c[i, j] += sum_k a[i, k] * b[k, j] for any strides (BLAS where the
/// layout allows it, a copy or plain loops where it does not).
void _mlir_ciface___vsla_gemm_f32(vsla::rt::StridedMemRef<float, 2> *a,
                                  vsla::rt::StridedMemRef<float, 2> *b,
                                  vsla::rt::StridedMemRef<float, 2> *c);
void _mlir_ciface___vsla_gemm_f64(vsla::rt::StridedMemRef<double, 2> *a,
                                  vsla::rt::StridedMemRef<double, 2> *b,
                                  vsla::rt::StridedMemRef<double, 2> *c);
/// The same for every index of the leading (batch) axis.
void _mlir_ciface___vsla_batch_gemm_f32(vsla::rt::StridedMemRef<float, 3> *a,
                                        vsla::rt::StridedMemRef<float, 3> *b,
                                        vsla::rt::StridedMemRef<float, 3> *c);
void _mlir_ciface___vsla_batch_gemm_f64(vsla::rt::StridedMemRef<double, 3> *a,
                                        vsla::rt::StridedMemRef<double, 3> *b,
                                        vsla::rt::StridedMemRef<double, 3> *c);
}

#endif // VSLA_RUNTIME_GEMM_H
