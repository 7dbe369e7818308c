//===- ElementType.h - the element types tensors can hold -------*- C++ -*-===//

#ifndef VSLA_RUNTIME_ELEMENTTYPE_H
#define VSLA_RUNTIME_ELEMENTTYPE_H

#include <cstddef>

namespace vsla::rt {

/// Element types of runtime tensors: the dtypes of DESIGN.md section 1.
enum class ElementType {
  F16,
  BF16,
  F32,
  F64,
  /// Stored one byte per element, as MLIR lowers memref<...xi1>.
  I1,
  I32,
  I64,
};

/// Bytes per element in memory.
constexpr size_t getElementByteSize(ElementType type) {
  switch (type) {
  case ElementType::F16:
  case ElementType::BF16:
    return 2;
  case ElementType::F32:
  case ElementType::I32:
    return 4;
  case ElementType::F64:
  case ElementType::I64:
    return 8;
  case ElementType::I1:
    return 1;
  }
  return 0;
}

/// The MLIR spelling ("f32", "bf16", "i1").
const char *getElementTypeName(ElementType type);

} // namespace vsla::rt

#endif // VSLA_RUNTIME_ELEMENTTYPE_H
