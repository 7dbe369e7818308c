//===- DeviceArray.h - tensors in CUDA device memory, for Python -*- C++ -*-===//
//
// The storage of a vsla.Tensor on a GPU: memory of the runtime's device pool
// (a compiled function's result, a copy from the host) or a DLPack producer's
// tensor (PyTorch, CuPy) taken without a copy and released when the last
// array that uses it goes. Always row-major and contiguous, as device
// functions take them. See docs/gpu.md.
//
//===----------------------------------------------------------------------===//

#ifndef VSLA_PYTHON_DEVICEARRAY_H
#define VSLA_PYTHON_DEVICEARRAY_H

#include "Binding.h"

#include "vsla/runtime/MemRefDescriptor.h"
#include "vsla/runtime/Module.h"

#include <memory>
#include <vector>

namespace vsla::python {

class DeviceArray : public std::enable_shared_from_this<DeviceArray> {
public:
  /// A device function's result (memory of the device pool).
  static std::shared_ptr<DeviceArray> fromResult(rt::HostTensor tensor,
                                                 int ordinal);
  /// A copy of a host array in device `ordinal`'s pool.
  static std::shared_ptr<DeviceArray> fromHost(const py::array &array,
                                               int ordinal);
  /// A DLPack producer's tensor in CUDA memory, without a copy.
  static std::shared_ptr<DeviceArray> fromDLPack(const py::object &producer);

  const rt::MemRefDescriptor &getDescriptor() const { return descriptor; }
  int getOrdinal() const { return ordinal; }
  /// Whether the memory came from another framework, whose queued work
  /// must be waited for before compiled code reads it.
  bool isBorrowed() const { return borrowed; }

  /// A host copy (NumPy array).
  py::array toHost() const;
  /// The same memory under another shape with as many elements.
  std::shared_ptr<DeviceArray> reshape(const std::vector<int64_t> &shape) const;
  /// A view of elements [begin, begin + count) of a 1-D array (an item of a
  /// ragged batch's packed values).
  std::shared_ptr<DeviceArray> range(int64_t begin, int64_t count) const;
  /// A DLPack capsule ("dltensor") sharing this memory.
  py::capsule toDLPack() const;

private:
  DeviceArray(std::shared_ptr<void> owner, rt::MemRefDescriptor descriptor,
              int ordinal, bool borrowed)
      : owner(std::move(owner)), descriptor(std::move(descriptor)),
        ordinal(ordinal), borrowed(borrowed) {}

  /// Keeps the memory alive: a HostTensor of the pool or a DLPack tensor.
  std::shared_ptr<void> owner;
  rt::MemRefDescriptor descriptor;
  int ordinal;
  bool borrowed;
};

/// Defines _vsla.DeviceArray.
void bindDeviceArray(py::module_ &m);

} // namespace vsla::python

#endif // VSLA_PYTHON_DEVICEARRAY_H
