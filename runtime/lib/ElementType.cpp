//===- ElementType.cpp - the element types tensors can hold ---------------===//

#include "vsla/runtime/ElementType.h"

namespace vsla::rt {

const char *getElementTypeName(ElementType type) {
  switch (type) {
  case ElementType::F16:
    return "f16";
  case ElementType::BF16:
    return "bf16";
  case ElementType::F32:
    return "f32";
  case ElementType::F64:
    return "f64";
  case ElementType::I1:
    return "i1";
  case ElementType::I32:
    return "i32";
  case ElementType::I64:
    return "i64";
  }
  return "unknown";
}

} // namespace vsla::rt
