//===- VslaDialect.cpp - the vsla dialect ---------------------------------===//

#include "vsla/Dialect/VslaDialect.h"
#include "vsla/Dialect/VslaInterfaces.h"
#include "vsla/Dialect/VslaOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"

#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::vsla;

#include "vsla/Dialect/VslaDialect.cpp.inc"
#include "vsla/Dialect/VslaEnums.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "vsla/Dialect/VslaAttrs.cpp.inc"

void VslaDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "vsla/Dialect/VslaOps.cpp.inc"
      >();
  addAttributes<
#define GET_ATTRDEF_LIST
#include "vsla/Dialect/VslaAttrs.cpp.inc"
      >();
  attachVjpInterfaces(*getContext());
}

/// Folded tensors become vsla.constant; folded scalars and index values
/// become arith.constant.
Operation *VslaDialect::materializeConstant(OpBuilder &builder, Attribute value,
                                            Type type, Location loc) {
  if (auto elements = dyn_cast<ElementsAttr>(value)) {
    if (elements.getType() == type && isa<RankedTensorType>(type))
      return ConstantOp::create(builder, loc, elements);
    return nullptr;
  }
  if (arith::ConstantOp::isBuildableWith(value, type))
    return arith::ConstantOp::create(builder, loc, type,
                                     cast<TypedAttr>(value));
  return nullptr;
}
