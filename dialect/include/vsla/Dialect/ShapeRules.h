//===- ShapeRules.h - VSLA's shape rules on integer extents ------*- C++ -*-===//
//
// The result-shape rule of every vsla op, on plain integer extents where
// `kDynamic` stands for an extent unknown until run time. Each rule returns
// the result shape, or std::nullopt with `error` set to an MLIR-style message
// (lowercase, no op-name prefix, naming the fix). Op type inference, the
// verifiers and the front end all use these, so a shape rule lives in exactly
// one place.
//
//===----------------------------------------------------------------------===//

#ifndef VSLA_DIALECT_SHAPERULES_H
#define VSLA_DIALECT_SHAPERULES_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"

#include <cstdint>
#include <limits>
#include <optional>
#include <string>

namespace mlir::vsla {
enum class ConvMode : uint32_t;

namespace shape {

/// An unknown extent; the same value as mlir::ShapedType::kDynamic.
constexpr int64_t kDynamic = std::numeric_limits<int64_t>::min();

using Shape = llvm::SmallVector<int64_t, 4>;

inline bool isDynamic(int64_t extent) { return extent == kDynamic; }

/// Formats a shape as `[3, ?, 0]` for diagnostics.
std::string formatShape(llvm::ArrayRef<int64_t> shape);

//===----------------------------------------------------------------------===//
// Rules on one extent
//===----------------------------------------------------------------------===//

/// Ambient promotion: `max(a, b)`. An extent of 0 leaves the other one as it
/// is (`max(?, 0)` is the dynamic extent itself, not a new unknown).
int64_t ambientExtent(int64_t a, int64_t b);

/// The last extent of `conv` of extents `m` and `n`: `m + n - 1` (full),
/// `max - min + 1` (valid), `max` (same); 0 when either is 0.
int64_t convExtent(int64_t m, int64_t n, ConvMode mode);

/// The extent of `kron`: `a * b`; 0 when either is 0; std::nullopt when the
/// product overflows int64.
std::optional<int64_t> kronExtent(int64_t a, int64_t b);

//===----------------------------------------------------------------------===//
// Rules on whole shapes
//===----------------------------------------------------------------------===//

/// Binary elementwise ops: equal ranks, per-axis ambient extent.
std::optional<Shape> ambientShape(llvm::ArrayRef<int64_t> lhs,
                                  llvm::ArrayRef<int64_t> rhs,
                                  std::string &error);

/// `conv`: equal ranks >= 1; batch axes ambient, last axis by `convExtent`.
std::optional<Shape> convShape(llvm::ArrayRef<int64_t> lhs,
                               llvm::ArrayRef<int64_t> rhs, ConvMode mode,
                               std::string &error);

/// `kron`: equal ranks, per-axis products.
std::optional<Shape> kronShape(llvm::ArrayRef<int64_t> lhs,
                               llvm::ArrayRef<int64_t> rhs,
                               std::string &error);

/// `matmul`: `[..., m, k] @ [..., k', n] -> [..., m, n]`, equal ranks >= 2.
std::optional<Shape> matmulShape(llvm::ArrayRef<int64_t> lhs,
                                 llvm::ArrayRef<int64_t> rhs,
                                 std::string &error);

/// `broadcast_to`: NumPy broadcasting of `input` to `target`.
std::optional<Shape> broadcastShape(llvm::ArrayRef<int64_t> input,
                                    llvm::ArrayRef<int64_t> target,
                                    std::string &error);

/// `promote`: zero-extension; equal ranks and `target >= input` per axis.
std::optional<Shape> promoteShape(llvm::ArrayRef<int64_t> input,
                                  llvm::ArrayRef<int64_t> target,
                                  std::string &error);

/// `reshape`: equal element counts where both are static.
std::optional<Shape> reshapeShape(llvm::ArrayRef<int64_t> input,
                                  llvm::ArrayRef<int64_t> target,
                                  std::string &error);

/// Reductions: distinct axes in `[0, rank)`; removed, or kept as 1.
std::optional<Shape> reductionShape(llvm::ArrayRef<int64_t> input,
                                    llvm::ArrayRef<int64_t> axes,
                                    bool keepdims, std::string &error);

/// `softmax` / `log_softmax`: `axis` in `[0, rank)`; the shape is unchanged.
std::optional<Shape> softmaxShape(llvm::ArrayRef<int64_t> input, int64_t axis,
                                  std::string &error);

/// `transpose`: `perm` is a permutation of `[0, rank)`.
/// The shape of vsla.reverse: the input's, once the axes are valid.
std::optional<Shape> reverseShape(llvm::ArrayRef<int64_t> input,
                                  llvm::ArrayRef<int64_t> axes,
                                  std::string &error);

std::optional<Shape> transposeShape(llvm::ArrayRef<int64_t> input,
                                    llvm::ArrayRef<int64_t> perm,
                                    std::string &error);

/// `slice`: one offset, size and stride per axis; offsets and sizes >= 0,
/// strides >= 1, and static slices inside static extents.
std::optional<Shape> sliceShape(llvm::ArrayRef<int64_t> input,
                                llvm::ArrayRef<int64_t> offsets,
                                llvm::ArrayRef<int64_t> sizes,
                                llvm::ArrayRef<int64_t> strides,
                                std::string &error);

/// `concat`: >= 1 input, equal ranks, equal extents off `axis`.
std::optional<Shape> concatShape(llvm::ArrayRef<Shape> inputs, int64_t axis,
                                 std::string &error);

/// `stack`: >= 1 input, equal ranks; `(k, ambient extents...)`.
std::optional<Shape> stackShape(llvm::ArrayRef<Shape> inputs,
                                std::string &error);

/// The number of stacks `window_stack` makes of `count` inputs.
int64_t windowCount(int64_t count, int64_t window, bool keepPartial);

} // namespace shape
} // namespace mlir::vsla

#endif // VSLA_DIALECT_SHAPERULES_H
