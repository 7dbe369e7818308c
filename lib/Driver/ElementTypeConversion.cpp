//===- ElementTypeConversion.cpp - runtime <-> MLIR element types ---------===//

#include "ElementTypeConversion.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"

namespace vsla {

std::optional<rt::ElementType> getRuntimeElementType(mlir::Type type) {
  if (type.isF16())
    return rt::ElementType::F16;
  if (type.isBF16())
    return rt::ElementType::BF16;
  if (type.isF32())
    return rt::ElementType::F32;
  if (type.isF64())
    return rt::ElementType::F64;
  if (type.isInteger(1))
    return rt::ElementType::I1;
  if (type.isInteger(32))
    return rt::ElementType::I32;
  if (type.isInteger(64) || type.isIndex())
    return rt::ElementType::I64;
  return std::nullopt;
}

mlir::Type getMlirElementType(rt::ElementType type, mlir::MLIRContext *context) {
  mlir::Builder b(context);
  switch (type) {
  case rt::ElementType::F16:
    return b.getF16Type();
  case rt::ElementType::BF16:
    return b.getBF16Type();
  case rt::ElementType::F32:
    return b.getF32Type();
  case rt::ElementType::F64:
    return b.getF64Type();
  case rt::ElementType::I1:
    return b.getI1Type();
  case rt::ElementType::I32:
    return b.getI32Type();
  case rt::ElementType::I64:
    return b.getI64Type();
  }
  return {};
}

} // namespace vsla
