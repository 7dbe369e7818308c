//===- TensorBuilders.h - tensors the vsla lowering builds ------*- C++ -*-===//
//
// The building blocks every lowering pattern uses: result dims, empty and
// filled tensors, elementwise linalg.generic ops, and slices anchored at the
// origin (VSLA tensors are anchored there, so every region of interest is a
// box starting at 0).
//
//===----------------------------------------------------------------------===//

#ifndef VSLA_CONVERSION_VSLATOLINALG_TENSORBUILDERS_H
#define VSLA_CONVERSION_VSLATOLINALG_TENSORBUILDERS_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/PatternMatch.h"

namespace mlir::vsla::lowering {

/// Computes one scalar of an elementwise body from its arguments.
using ScalarFn =
    std::function<Value(OpBuilder &, Location, ValueRange arguments)>;

/// The dims of `op`'s single result, reified from its operands.
FailureOr<SmallVector<OpFoldResult>> getResultDims(OpBuilder &b,
                                                   Operation *op);

/// A constant scalar of `type` (float or integer) with value `value`.
Value createScalar(OpBuilder &b, Location loc, Type type, double value);

/// A tensor of `dims` and `elementType` filled with `scalar`.
Value createFilled(OpBuilder &b, Location loc, ArrayRef<OpFoldResult> dims,
                   Type elementType, Value scalar);

/// An elementwise linalg.generic: every input has the shape of `init`, and
/// element i of the result is `body(inputs[i]...)`.
Value createElementwise(OpBuilder &b, Location loc, ValueRange inputs,
                        Value init, const ScalarFn &body);

/// The box `[0, dims)` of `source`.
Value extractOrigin(OpBuilder &b, Location loc, Value source,
                    ArrayRef<OpFoldResult> dims);

/// `dest` with the box of `source`'s dims at `offsets` replaced by
/// `source`; a source of lower rank fills the trailing axes (leading
/// extents 1).
Value insertAt(OpBuilder &b, Location loc, Value source, Value dest,
               ArrayRef<OpFoldResult> offsets);

/// `dest` with the box `[0, dims of source)` replaced by `source`.
Value insertOrigin(OpBuilder &b, Location loc, Value source, Value dest);

/// Per-axis `min(a, b)`, folded when static.
SmallVector<OpFoldResult> minDims(OpBuilder &b, Location loc,
                                  ArrayRef<OpFoldResult> a,
                                  ArrayRef<OpFoldResult> c);

/// True when every extent of `a` is known to be <= the same extent of `c`.
bool provablyWithin(ArrayRef<OpFoldResult> a, ArrayRef<OpFoldResult> c);

/// Replaces `op`'s single result with `value`, through a tensor.cast when
/// the lowering found a more (or less) static type than the op states.
void replaceWithValue(RewriterBase &rewriter, Operation *op, Value value);

/// An i1 that is true when `a` and `c` are equal extent by extent.
Value createDimsEqual(OpBuilder &b, Location loc, ArrayRef<OpFoldResult> a,
                      ArrayRef<OpFoldResult> c);

} // namespace mlir::vsla::lowering

#endif // VSLA_CONVERSION_VSLATOLINALG_TENSORBUILDERS_H
