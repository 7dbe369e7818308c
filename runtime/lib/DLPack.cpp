//===- DLPack.cpp - DLPack tensors as the runtime's descriptors -----------===//

#include "vsla/runtime/DLPack.h"

#include <vector>

namespace vsla::rt {

std::optional<ElementType> getElementType(vsla_dl_data_type_t type) {
  if (type.lanes != 1)
    return std::nullopt;
  switch (type.code) {
  case VSLA_DL_FLOAT:
    if (type.bits == 16)
      return ElementType::F16;
    if (type.bits == 32)
      return ElementType::F32;
    if (type.bits == 64)
      return ElementType::F64;
    return std::nullopt;
  case VSLA_DL_BFLOAT:
    return type.bits == 16 ? std::optional(ElementType::BF16) : std::nullopt;
  case VSLA_DL_INT:
    if (type.bits == 32)
      return ElementType::I32;
    if (type.bits == 64)
      return ElementType::I64;
    return std::nullopt;
  case VSLA_DL_BOOL:
    return type.bits == 8 ? std::optional(ElementType::I1) : std::nullopt;
  default:
    return std::nullopt;
  }
}

vsla_dl_data_type_t getDLDataType(ElementType type) {
  switch (type) {
  case ElementType::F16:
    return {VSLA_DL_FLOAT, 16, 1};
  case ElementType::BF16:
    return {VSLA_DL_BFLOAT, 16, 1};
  case ElementType::F32:
    return {VSLA_DL_FLOAT, 32, 1};
  case ElementType::F64:
    return {VSLA_DL_FLOAT, 64, 1};
  case ElementType::I1:
    return {VSLA_DL_BOOL, 8, 1};
  case ElementType::I32:
    return {VSLA_DL_INT, 32, 1};
  case ElementType::I64:
    return {VSLA_DL_INT, 64, 1};
  }
  return {VSLA_DL_FLOAT, 32, 1};
}

StatusOr<MemRefDescriptor> describeDLTensor(const vsla_dl_tensor_t &tensor,
                                            const std::string &what) {
  std::optional<ElementType> type = getElementType(tensor.dtype);
  if (!type)
    return invalidArgument(what + " has a DLPack dtype (code " +
                           std::to_string(tensor.dtype.code) + ", " +
                           std::to_string(tensor.dtype.bits) + " bits, " +
                           std::to_string(tensor.dtype.lanes) +
                           " lanes) the runtime does not have");
  if (tensor.ndim < 0 || (tensor.ndim > 0 && !tensor.shape))
    return invalidArgument(what + " is a malformed DLPack tensor");
  size_t byteSize = getElementByteSize(*type);
  if (tensor.byte_offset % byteSize)
    return invalidArgument(what + " starts at a byte offset that is not a "
                           "multiple of its element size");
  std::vector<int64_t> sizes(tensor.shape, tensor.shape + tensor.ndim);
  std::vector<int64_t> strides =
      tensor.strides ? std::vector<int64_t>(tensor.strides,
                                            tensor.strides + tensor.ndim)
                     : getRowMajorStrides(sizes);
  auto descriptor = MemRefDescriptor::get(
      *type, tensor.data, tensor.data,
      static_cast<int64_t>(tensor.byte_offset / byteSize), sizes, strides);
  if (!descriptor.ok())
    return Status(descriptor.getStatus().getCode(),
                  what + ": " + descriptor.getStatus().getMessage());
  return descriptor;
}

} // namespace vsla::rt
