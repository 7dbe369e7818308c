//===- DLPack.h - DLPack tensors as the runtime's descriptors ---*- C++ -*-===//
//
// What the C interface (CApi.h) and the Python binding share to take DLPack
// tensors in and hand results out: element types both ways, and a memref
// descriptor over a DLPack tensor's memory (no copy).
//
//===----------------------------------------------------------------------===//

#ifndef VSLA_RUNTIME_DLPACK_H
#define VSLA_RUNTIME_DLPACK_H

#include "vsla/runtime/CApi.h"
#include "vsla/runtime/ElementType.h"
#include "vsla/runtime/MemRefDescriptor.h"
#include "vsla/runtime/Status.h"

#include <optional>
#include <string>

namespace vsla::rt {

/// The element type of a DLPack dtype; none for one the runtime lacks.
std::optional<ElementType> getElementType(vsla_dl_data_type_t type);

/// The DLPack dtype of an element type.
vsla_dl_data_type_t getDLDataType(ElementType type);

/// A descriptor over `tensor`'s memory, wherever it lives; an
/// invalid_argument status naming `what` for a dtype the runtime lacks, a
/// malformed tensor or a misaligned byte offset.
StatusOr<MemRefDescriptor> describeDLTensor(const vsla_dl_tensor_t &tensor,
                                            const std::string &what);

} // namespace vsla::rt

#endif // VSLA_RUNTIME_DLPACK_H
