//===- ShapeRules.cpp - VSLA's shape rules on integer extents -------------===//

#include "vsla/Dialect/ShapeRules.h"
#include "vsla/Dialect/VslaEnums.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallBitVector.h"
#include "llvm/Support/MathExtras.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>

using llvm::ArrayRef;

namespace mlir::vsla::shape {

std::string formatShape(ArrayRef<int64_t> shape) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << '[';
  llvm::interleaveComma(shape, os, [&](int64_t extent) {
    if (isDynamic(extent))
      os << '?';
    else
      os << extent;
  });
  os << ']';
  return text;
}

static std::string formatList(ArrayRef<int64_t> values) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << '[';
  llvm::interleaveComma(values, os);
  os << ']';
  return text;
}

static std::optional<Shape> fail(std::string &error, std::string message) {
  error = std::move(message);
  return std::nullopt;
}

static bool sameRank(ArrayRef<int64_t> lhs, ArrayRef<int64_t> rhs,
                     std::string &error, const char *fix) {
  if (lhs.size() == rhs.size())
    return true;
  error = "operand ranks differ (" + std::to_string(lhs.size()) + " vs " +
          std::to_string(rhs.size()) + ": " + formatShape(lhs) + " and " +
          formatShape(rhs) + "); " + fix;
  return false;
}

static constexpr const char *kRankFix =
    "use vsla.broadcast_to, vsla.promote or vsla.reshape to give both the "
    "same rank";

//===----------------------------------------------------------------------===//
// One extent
//===----------------------------------------------------------------------===//

int64_t ambientExtent(int64_t a, int64_t b) {
  if (a == 0)
    return b;
  if (b == 0)
    return a;
  if (isDynamic(a) || isDynamic(b))
    return kDynamic;
  return std::max(a, b);
}

int64_t convExtent(int64_t m, int64_t n, ConvMode mode) {
  if (m == 0 || n == 0)
    return 0;
  if (isDynamic(m) || isDynamic(n))
    return kDynamic;
  switch (mode) {
  case ConvMode::full:
    return m + n - 1;
  case ConvMode::valid:
    return std::max(m, n) - std::min(m, n) + 1;
  case ConvMode::same:
    return std::max(m, n);
  }
  return kDynamic;
}

std::optional<int64_t> kronExtent(int64_t a, int64_t b) {
  if (a == 0 || b == 0)
    return 0;
  if (isDynamic(a) || isDynamic(b))
    return kDynamic;
  int64_t product;
  if (llvm::MulOverflow(a, b, product))
    return std::nullopt;
  return product;
}

//===----------------------------------------------------------------------===//
// Whole shapes
//===----------------------------------------------------------------------===//

std::optional<Shape> ambientShape(ArrayRef<int64_t> lhs, ArrayRef<int64_t> rhs,
                                  std::string &error) {
  if (!sameRank(lhs, rhs, error, kRankFix))
    return std::nullopt;
  Shape result;
  for (auto [a, b] : llvm::zip_equal(lhs, rhs))
    result.push_back(ambientExtent(a, b));
  return result;
}

std::optional<Shape> convShape(ArrayRef<int64_t> lhs, ArrayRef<int64_t> rhs,
                               ConvMode mode, std::string &error) {
  if (!sameRank(lhs, rhs, error, kRankFix))
    return std::nullopt;
  if (lhs.empty())
    return fail(error, "expects operands of rank >= 1 (the last axis is "
                       "convolved); use vsla.reshape to make a 0-d tensor 1-d");
  Shape result;
  for (auto [a, b] : llvm::zip_equal(lhs.drop_back(), rhs.drop_back()))
    result.push_back(ambientExtent(a, b));
  result.push_back(convExtent(lhs.back(), rhs.back(), mode));
  return result;
}

std::optional<Shape> kronShape(ArrayRef<int64_t> lhs, ArrayRef<int64_t> rhs,
                               std::string &error) {
  if (!sameRank(lhs, rhs, error, kRankFix))
    return std::nullopt;
  Shape result;
  for (auto [a, b] : llvm::zip_equal(lhs, rhs)) {
    std::optional<int64_t> extent = kronExtent(a, b);
    if (!extent)
      return fail(error, "result extent " + std::to_string(a) + " * " +
                             std::to_string(b) + " overflows int64");
    result.push_back(*extent);
  }
  return result;
}

std::optional<Shape> matmulShape(ArrayRef<int64_t> lhs, ArrayRef<int64_t> rhs,
                                 std::string &error) {
  if (!sameRank(lhs, rhs, error,
                "use vsla.reshape or vsla.broadcast_to to give both the same "
                "batch rank"))
    return std::nullopt;
  if (lhs.size() < 2)
    return fail(error, "expects operands of rank >= 2 ([..., m, k] and "
                       "[..., k, n]), got " +
                           formatShape(lhs) + " and " + formatShape(rhs) +
                           "; use vsla.reshape to make vectors matrices");
  Shape result;
  for (auto [a, b] :
       llvm::zip_equal(lhs.drop_back(2), rhs.drop_back(2)))
    result.push_back(ambientExtent(a, b));
  result.push_back(lhs[lhs.size() - 2]);
  result.push_back(rhs.back());
  return result;
}

/// Target extents are static (>= 0) or dynamic; anything else is malformed.
static bool validTarget(ArrayRef<int64_t> target, std::string &error) {
  for (int64_t extent : target) {
    if (!isDynamic(extent) && extent < 0) {
      error = "target shape " + formatShape(target) +
              " has a negative extent; extents are >= 0 (resolve -1 before "
              "building the op)";
      return false;
    }
  }
  return true;
}

std::optional<Shape> broadcastShape(ArrayRef<int64_t> input,
                                    ArrayRef<int64_t> target,
                                    std::string &error) {
  if (!validTarget(target, error))
    return std::nullopt;
  if (target.size() < input.size())
    return fail(error, "cannot broadcast " + formatShape(input) + " to " +
                           formatShape(target) +
                           ", which has fewer axes; use vsla.reshape or a "
                           "reduction to remove axes");
  size_t lead = target.size() - input.size();
  for (auto [i, extent] : llvm::enumerate(input)) {
    int64_t want = target[lead + i];
    if (extent == 1 || isDynamic(extent) || isDynamic(want) || extent == want)
      continue;
    return fail(error, "cannot broadcast " + formatShape(input) + " to " +
                           formatShape(target) + ": input axis " +
                           std::to_string(i) + " has extent " +
                           std::to_string(extent) + ", which is neither 1 nor " +
                           std::to_string(want) +
                           "; use vsla.promote to zero-extend instead");
  }
  return Shape(target.begin(), target.end());
}

std::optional<Shape> promoteShape(ArrayRef<int64_t> input,
                                  ArrayRef<int64_t> target,
                                  std::string &error) {
  if (!validTarget(target, error))
    return std::nullopt;
  if (input.size() != target.size())
    return fail(error, "cannot promote " + formatShape(input) + " to " +
                           formatShape(target) +
                           ": ranks differ; use vsla.reshape or "
                           "vsla.broadcast_to to add axes");
  for (auto [i, pair] : llvm::enumerate(llvm::zip_equal(input, target))) {
    auto [extent, want] = pair;
    if (isDynamic(extent) || isDynamic(want) || extent <= want)
      continue;
    return fail(error, "cannot promote " + formatShape(input) + " to " +
                           formatShape(target) + ": axis " + std::to_string(i) +
                           " would shrink from " + std::to_string(extent) +
                           " to " + std::to_string(want) +
                           "; use vsla.slice to cut a tensor down");
  }
  return Shape(target.begin(), target.end());
}

static std::optional<int64_t> staticCount(ArrayRef<int64_t> shape) {
  int64_t count = 1;
  for (int64_t extent : shape) {
    if (isDynamic(extent))
      return std::nullopt;
    if (llvm::MulOverflow(count, extent, count))
      return std::nullopt;
  }
  return count;
}

std::optional<Shape> reshapeShape(ArrayRef<int64_t> input,
                                  ArrayRef<int64_t> target,
                                  std::string &error) {
  if (!validTarget(target, error))
    return std::nullopt;
  std::optional<int64_t> in = staticCount(input);
  std::optional<int64_t> out = staticCount(target);
  if (in && out && *in != *out)
    return fail(error, "cannot reshape " + formatShape(input) + " (" +
                           std::to_string(*in) + " elements) to " +
                           formatShape(target) + " (" + std::to_string(*out) +
                           " elements); the element counts must agree");
  return Shape(target.begin(), target.end());
}

/// Checks that `axes` are distinct and in `[0, rank)`.
static bool validAxes(ArrayRef<int64_t> axes, size_t rank, const char *what,
                      std::string &error) {
  llvm::SmallBitVector seen(rank);
  for (int64_t axis : axes) {
    if (axis < 0 || axis >= static_cast<int64_t>(rank)) {
      error = std::string(what) + " " + std::to_string(axis) +
              " is out of range for rank " + std::to_string(rank) +
              "; axes are in [0, " + std::to_string(rank) +
              ") (normalize negative axes first)";
      return false;
    }
    if (seen.test(axis)) {
      error = std::string(what) + " " + std::to_string(axis) +
              " appears twice in " + formatList(axes) + "; list each once";
      return false;
    }
    seen.set(axis);
  }
  return true;
}

std::optional<Shape> reductionShape(ArrayRef<int64_t> input,
                                    ArrayRef<int64_t> axes, bool keepdims,
                                    std::string &error) {
  if (!validAxes(axes, input.size(), "axis", error))
    return std::nullopt;
  Shape result;
  for (auto [i, extent] : llvm::enumerate(input)) {
    if (!llvm::is_contained(axes, static_cast<int64_t>(i)))
      result.push_back(extent);
    else if (keepdims)
      result.push_back(1);
  }
  return result;
}

std::optional<Shape> softmaxShape(ArrayRef<int64_t> input, int64_t axis,
                                  std::string &error) {
  if (!validAxes({axis}, input.size(), "axis", error))
    return std::nullopt;
  return Shape(input.begin(), input.end());
}

std::optional<Shape> reverseShape(ArrayRef<int64_t> input,
                                  ArrayRef<int64_t> axes, std::string &error) {
  if (!validAxes(axes, input.size(), "axis", error))
    return std::nullopt;
  return Shape(input.begin(), input.end());
}

std::optional<Shape> transposeShape(ArrayRef<int64_t> input,
                                    ArrayRef<int64_t> perm,
                                    std::string &error) {
  if (perm.size() != input.size())
    return fail(error, "perm " + formatList(perm) + " has " +
                           std::to_string(perm.size()) +
                           " entries but the input " + formatShape(input) +
                           " has rank " + std::to_string(input.size()) +
                           "; give one entry per axis");
  if (!validAxes(perm, input.size(), "perm entry", error))
    return std::nullopt;
  Shape result;
  for (int64_t axis : perm)
    result.push_back(input[axis]);
  return result;
}

std::optional<Shape> sliceShape(ArrayRef<int64_t> input,
                                ArrayRef<int64_t> offsets,
                                ArrayRef<int64_t> sizes,
                                ArrayRef<int64_t> strides,
                                std::string &error) {
  size_t rank = input.size();
  if (offsets.size() != rank || sizes.size() != rank || strides.size() != rank)
    return fail(error, "expects one offset, size and stride per axis of " +
                           formatShape(input) + ", got " +
                           std::to_string(offsets.size()) + ", " +
                           std::to_string(sizes.size()) + " and " +
                           std::to_string(strides.size()));
  for (size_t i = 0; i < rank; ++i) {
    int64_t offset = offsets[i], size = sizes[i], stride = strides[i];
    if (!isDynamic(offset) && offset < 0)
      return fail(error, "axis " + std::to_string(i) + ": offset " +
                             std::to_string(offset) +
                             " is negative; offsets are >= 0");
    if (!isDynamic(size) && size < 0)
      return fail(error, "axis " + std::to_string(i) + ": size " +
                             std::to_string(size) + " is negative");
    if (!isDynamic(stride) && stride < 1)
      return fail(error, "axis " + std::to_string(i) + ": stride " +
                             std::to_string(stride) +
                             " is not positive; strides are >= 1 (reverse with "
                             "a front-end flip)");
    if (isDynamic(offset) || isDynamic(size) || isDynamic(stride) ||
        isDynamic(input[i]) || size == 0)
      continue;
    // The last element read is offset + (size - 1) * stride.
    int64_t span, last;
    if (llvm::MulOverflow(size - 1, stride, span) ||
        llvm::AddOverflow(offset, span, last) || last >= input[i])
      return fail(error, "axis " + std::to_string(i) + ": slice of " +
                             std::to_string(size) + " elements from offset " +
                             std::to_string(offset) + " with stride " +
                             std::to_string(stride) +
                             " reads past the extent " +
                             std::to_string(input[i]) +
                             "; clamp the slice to the input");
  }
  return Shape(sizes.begin(), sizes.end());
}

std::optional<Shape> concatShape(ArrayRef<Shape> inputs, int64_t axis,
                                 std::string &error) {
  if (inputs.empty())
    return fail(error, "expects at least one input");
  size_t rank = inputs.front().size();
  if (!validAxes({axis}, rank, "axis", error))
    return std::nullopt;
  Shape result(inputs.front());
  for (auto [n, input] : llvm::enumerate(inputs.drop_front())) {
    if (input.size() != rank)
      return fail(error, "input " + std::to_string(n + 1) + " has shape " +
                             formatShape(input) + " of rank " +
                             std::to_string(input.size()) + ", input 0 has " +
                             formatShape(inputs.front()) +
                             "; all inputs need the same rank");
    for (size_t i = 0; i < rank; ++i) {
      int64_t &acc = result[i];
      int64_t extent = input[i];
      if (static_cast<int64_t>(i) == axis) {
        if (isDynamic(acc) || isDynamic(extent))
          acc = kDynamic;
        else if (llvm::AddOverflow(acc, extent, acc))
          return fail(error, "concatenated extent overflows int64");
        continue;
      }
      if (isDynamic(extent))
        continue;
      if (isDynamic(acc)) {
        acc = extent;
        continue;
      }
      if (acc != extent)
        return fail(error, "input " + std::to_string(n + 1) + " has shape " +
                               formatShape(input) + " but the inputs before "
                               "it have extent " +
                               std::to_string(acc) + " on axis " +
                               std::to_string(i) + " (not the concat axis " +
                               std::to_string(axis) +
                               "); use vsla.promote to match them, or "
                               "vsla.stack for ragged inputs");
    }
  }
  return result;
}

std::optional<Shape> stackShape(ArrayRef<Shape> inputs, std::string &error) {
  if (inputs.empty())
    return fail(error, "expects at least one input");
  size_t rank = inputs.front().size();
  Shape ambient(inputs.front());
  for (auto [n, input] : llvm::enumerate(inputs.drop_front())) {
    if (input.size() != rank)
      return fail(error, "input " + std::to_string(n + 1) + " has shape " +
                             formatShape(input) + " of rank " +
                             std::to_string(input.size()) + ", input 0 has " +
                             formatShape(inputs.front()) +
                             "; all inputs need the same rank (use "
                             "vsla.reshape)");
    for (size_t i = 0; i < rank; ++i)
      ambient[i] = ambientExtent(ambient[i], input[i]);
  }
  Shape result{static_cast<int64_t>(inputs.size())};
  result.append(ambient.begin(), ambient.end());
  return result;
}

int64_t windowCount(int64_t count, int64_t window, bool keepPartial) {
  if (window <= 0 || count <= 0)
    return 0;
  return keepPartial ? (count + window - 1) / window : count / window;
}

} // namespace mlir::vsla::shape
