//===- Npy.h - NumPy .npy files ---------------------------------*- C++ -*-===//
//
// Reading and writing NumPy's .npy format (versions 1 to 3, little-endian,
// C order) for the element types the runtime has, so tools and programs
// that embed the runtime exchange tensors with Python without a converter.
//
//===----------------------------------------------------------------------===//

#ifndef VSLA_RUNTIME_NPY_H
#define VSLA_RUNTIME_NPY_H

#include "vsla/runtime/ElementType.h"
#include "vsla/runtime/MemRefDescriptor.h"
#include "vsla/runtime/Status.h"

#include <memory>
#include <string>
#include <vector>

namespace vsla::rt {

/// A tensor read from a .npy file: row-major contents it owns.
struct NpyArray {
  ElementType elementType = ElementType::F32;
  std::vector<int64_t> shape;
  /// 64-byte aligned storage of the elements.
  std::shared_ptr<void> data;
  size_t byteSize = 0;

  /// A descriptor over the contents (valid while this array lives).
  StatusOr<MemRefDescriptor> getDescriptor() const;
};

/// Parses the bytes of a .npy file; an error says what is wrong with it.
StatusOr<NpyArray> parseNpy(const std::string &bytes);
StatusOr<NpyArray> readNpy(const std::string &path);

/// The .npy bytes of a tensor (any strides; written in row-major order).
StatusOr<std::string> formatNpy(const MemRefDescriptor &tensor);
Status writeNpy(const std::string &path, const MemRefDescriptor &tensor);

} // namespace vsla::rt

#endif // VSLA_RUNTIME_NPY_H
