//===- ShapeInference.h - result types and dims of vsla ops ------*- C++ -*-===//
//
// The bridge between ShapeRules.h (integer extents) and MLIR: result-type
// inference for each family of ops, with diagnostics attached to the op's
// location, and reification of result dims as OpFoldResults (attributes for
// static extents, index values computed with `arith` for dynamic ones).
//
// Inference runs while an op is being parsed, before its verifier, so these
// functions accept any operand types and report what is wrong instead of
// asserting.
//
//===----------------------------------------------------------------------===//

#ifndef VSLA_DIALECT_SHAPEINFERENCE_H
#define VSLA_DIALECT_SHAPEINFERENCE_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"

#include <optional>

namespace mlir::vsla {
enum class ConvMode : uint32_t;

//===----------------------------------------------------------------------===//
// Type inference
//===----------------------------------------------------------------------===//

/// Emits `'<opName>' op <message>` at `loc` (when given); returns failure.
LogicalResult emitInferError(StringRef opName, std::optional<Location> loc,
                             const Twine &message);

/// Pushes the tensor type of `shape` and `elementType` onto `types`, or
/// reports the shape rule's `error`.
LogicalResult pushShape(StringRef opName, std::optional<Location> loc,
                        const std::optional<SmallVector<int64_t, 4>> &shape,
                        const std::string &error, Type elementType,
                        SmallVectorImpl<Type> &types);

/// True if `value` is a ranked tensor with a static extent of 0: the empty
/// tensor, VSLA's additive zero.
bool isStaticallyEmpty(Value value);

/// The operand as a ranked tensor type, or a diagnostic naming operand
/// `name` of op `opName`.
FailureOr<RankedTensorType> getRankedTensorOperand(StringRef opName,
                                                   std::optional<Location> loc,
                                                   Value value, StringRef name);

LogicalResult inferAmbientBinaryType(StringRef opName,
                                     std::optional<Location> loc, Value lhs,
                                     Value rhs, SmallVectorImpl<Type> &types);
LogicalResult inferScalarOpType(StringRef opName, std::optional<Location> loc,
                                Value input, Value scalar,
                                SmallVectorImpl<Type> &types);
LogicalResult inferSameType(StringRef opName, std::optional<Location> loc,
                            Value input, SmallVectorImpl<Type> &types);
LogicalResult inferReductionType(StringRef opName, std::optional<Location> loc,
                                 Value input, DenseI64ArrayAttr axes,
                                 bool keepdims, SmallVectorImpl<Type> &types);
LogicalResult inferSoftmaxType(StringRef opName, std::optional<Location> loc,
                               Value input, IntegerAttr axis,
                               SmallVectorImpl<Type> &types);

//===----------------------------------------------------------------------===//
// Reification of result dims
//===----------------------------------------------------------------------===//

/// Extent arithmetic on OpFoldResults: folds to an attribute when the
/// extents are static, otherwise builds `arith` ops on `index`.
OpFoldResult buildAmbientExtent(OpBuilder &b, Location loc, OpFoldResult lhs,
                                OpFoldResult rhs);
OpFoldResult buildConvExtent(OpBuilder &b, Location loc, OpFoldResult m,
                             OpFoldResult n, ConvMode mode);
OpFoldResult buildKronExtent(OpBuilder &b, Location loc, OpFoldResult lhs,
                             OpFoldResult rhs);

LogicalResult reifySameShape(OpBuilder &b, Location loc, Value input,
                             ReifiedRankedShapedTypeDims &shapes);
LogicalResult reifyAmbientBinaryShape(OpBuilder &b, Location loc, Value lhs,
                                      Value rhs,
                                      ReifiedRankedShapedTypeDims &shapes);
LogicalResult reifyReductionShape(OpBuilder &b, Location loc, Value input,
                                  ArrayRef<int64_t> axes, bool keepdims,
                                  ReifiedRankedShapedTypeDims &shapes);

} // namespace mlir::vsla

#endif // VSLA_DIALECT_SHAPEINFERENCE_H
