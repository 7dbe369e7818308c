//===- ElementTypeConversion.h - runtime <-> MLIR element types -*- C++ -*-===//
//
// The runtime names element types without MLIR (rt::ElementType); the driver
// converts at the boundary, in both directions, here.
//
//===----------------------------------------------------------------------===//

#ifndef VSLA_DRIVER_ELEMENTTYPECONVERSION_H
#define VSLA_DRIVER_ELEMENTTYPECONVERSION_H

#include "vsla/runtime/ElementType.h"

#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Types.h"

#include <optional>

namespace vsla {

/// The runtime element type of an MLIR element type (`index` is 64-bit), or
/// nullopt when the runtime cannot hold it.
std::optional<rt::ElementType> getRuntimeElementType(mlir::Type type);

/// The MLIR element type of a runtime element type.
mlir::Type getMlirElementType(rt::ElementType type, mlir::MLIRContext *context);

} // namespace vsla

#endif // VSLA_DRIVER_ELEMENTTYPECONVERSION_H
