//===- DeviceArray.cpp - tensors in CUDA device memory, for Python --------===//

#include "DeviceArray.h"

#include "vsla/runtime/Buffer.h"
#include "vsla/runtime/Cuda.h"
#include "vsla/runtime/DLPack.h"

#include <pybind11/stl.h>

#include <cstring>

namespace vsla::python {

namespace {

constexpr const char *kCapsuleName = "dltensor";
constexpr const char *kUsedCapsuleName = "used_dltensor";

/// What a DLPack capsule we hand out points to: the tensor struct plus what
/// keeps its memory alive.
struct ExportedTensor {
  vsla_dl_managed_tensor_t managed{};
  std::shared_ptr<const DeviceArray> array;
  std::vector<int64_t> shape;
};

void deleteExported(vsla_dl_managed_tensor_t *self) {
  delete static_cast<ExportedTensor *>(self->manager_ctx);
}

size_t getByteSize(const rt::MemRefDescriptor &descriptor) {
  return static_cast<size_t>(descriptor.getNumElements()) *
         rt::getElementByteSize(descriptor.getElementType());
}

std::string describeShape(const std::vector<int64_t> &shape) {
  std::string text = "(";
  for (size_t i = 0; i < shape.size(); ++i)
    text += (i ? ", " : "") + std::to_string(shape[i]);
  return text + (shape.size() == 1 ? ",)" : ")");
}

} // namespace

std::shared_ptr<DeviceArray> DeviceArray::fromResult(rt::HostTensor tensor,
                                                     int ordinal) {
  auto owned = std::make_shared<rt::HostTensor>(std::move(tensor));
  rt::MemRefDescriptor descriptor = owned->getDescriptor();
  return std::shared_ptr<DeviceArray>(
      new DeviceArray(std::move(owned), std::move(descriptor), ordinal,
                      /*borrowed=*/false));
}

std::shared_ptr<DeviceArray> DeviceArray::fromHost(const py::array &array,
                                                   int ordinal) {
  py::array contiguous =
      py::array::ensure(array, py::array::c_style | py::array::forcecast);
  if (!contiguous)
    throw StatusError("invalid_argument: cannot read the array to copy");
  ElementType type = getElementType(contiguous.dtype());
  std::vector<int64_t> shape(contiguous.shape(),
                             contiguous.shape() + contiguous.ndim());
  rt::BufferPool *pool = unwrap(rt::cuda::getDevicePool(ordinal));
  size_t bytes = static_cast<size_t>(contiguous.nbytes());
  // Aligned as the runtime aligns device functions' outputs.
  rt::Buffer buffer =
      unwrap(rt::Buffer::allocate(*pool, std::max<size_t>(bytes, 1), 256));
  if (bytes) {
    rt::Status status;
    {
      py::gil_scoped_release release;
      status = rt::cuda::copyHostToDevice(ordinal, buffer.data(),
                                          contiguous.data(), bytes);
    }
    check(status);
  }
  rt::MemRefDescriptor descriptor =
      unwrap(rt::MemRefDescriptor::getRowMajor(type, buffer.data(), shape));
  return fromResult(rt::HostTensor(descriptor, std::move(buffer)), ordinal);
}

std::shared_ptr<DeviceArray> DeviceArray::fromDLPack(const py::object &producer) {
  // A CUDA producer makes its work visible to the legacy default stream
  // (DLPack's stream 1), which the runtime waits for before reading it.
  py::object capsule = producer.attr("__dlpack__")(py::arg("stream") = 1);
  PyObject *raw = capsule.ptr();
  if (!PyCapsule_IsValid(raw, kCapsuleName))
    throw StatusError("invalid_argument: __dlpack__ returned no unused "
                      "DLPack capsule");
  auto *managed = static_cast<vsla_dl_managed_tensor_t *>(
      PyCapsule_GetPointer(raw, kCapsuleName));
  const vsla_dl_tensor_t &tensor = managed->dl_tensor;
  // Ours from here: released with the last array that uses it.
  PyCapsule_SetName(raw, kUsedCapsuleName);
  std::shared_ptr<vsla_dl_managed_tensor_t> owner(
      managed, [](vsla_dl_managed_tensor_t *m) {
        if (m->deleter)
          m->deleter(m);
      });
  if (tensor.device.device_type != VSLA_DL_CUDA)
    throw StatusError("invalid_argument: the DLPack tensor is not in CUDA "
                      "memory (DLPack device type " +
                      std::to_string(tensor.device.device_type) + ")");
  rt::MemRefDescriptor descriptor =
      unwrap(rt::describeDLTensor(tensor, "the DLPack tensor"));
  if (!descriptor.isContiguous())
    throw StatusError("invalid_argument: the GPU tensor of shape " +
                      describeShape(descriptor.getSizes()) +
                      " is not contiguous; device functions take row-major "
                      "tensors: pass x.contiguous() (PyTorch) or "
                      "cupy.ascontiguousarray(x)");
  // Memory the driver does not know, or shorter than the shape says, would
  // be read (or fault the device) by the first kernel.
  if (rt::cuda::getDeviceCount() > 0)
    check(rt::cuda::checkDeviceRange(tensor.device.device_id,
                                     descriptor.getDataPtr(),
                                     getByteSize(descriptor),
                                     "the DLPack tensor"));
  return std::shared_ptr<DeviceArray>(
      new DeviceArray(std::move(owner), std::move(descriptor),
                      tensor.device.device_id, /*borrowed=*/true));
}

py::array DeviceArray::toHost() const {
  std::vector<py::ssize_t> shape;
  for (int64_t size : descriptor.getSizes())
    shape.push_back(static_cast<py::ssize_t>(size));
  py::array host(getDtype(descriptor.getElementType()), shape);
  size_t bytes = getByteSize(descriptor);
  if (bytes) {
    rt::Status status;
    {
      py::gil_scoped_release release;
      // Work queued by compiled code on this thread, and by a producer on
      // the legacy stream, finishes first.
      status = rt::cuda::synchronizeThreadStream();
      if (status.ok() && borrowed)
        status = rt::cuda::synchronizeLegacyStream(ordinal);
      if (status.ok())
        status = rt::cuda::copyDeviceToHost(ordinal, host.mutable_data(),
                                            descriptor.getDataPtr(), bytes);
    }
    check(status);
  }
  return host;
}

std::shared_ptr<DeviceArray>
DeviceArray::reshape(const std::vector<int64_t> &shape) const {
  int64_t elements = 1;
  for (int64_t size : shape) {
    if (size < 0)
      throw StatusError("invalid_argument: a negative extent in " +
                        describeShape(shape));
    elements *= size;
  }
  if (elements != descriptor.getNumElements())
    throw StatusError("invalid_argument: cannot reshape " +
                      describeShape(descriptor.getSizes()) + " (" +
                      std::to_string(descriptor.getNumElements()) +
                      " elements) to " + describeShape(shape));
  rt::MemRefDescriptor view = unwrap(rt::MemRefDescriptor::getRowMajor(
      descriptor.getElementType(), descriptor.getDataPtr(), shape));
  return std::shared_ptr<DeviceArray>(
      new DeviceArray(owner, std::move(view), ordinal, borrowed));
}

std::shared_ptr<DeviceArray> DeviceArray::range(int64_t begin,
                                                int64_t count) const {
  if (descriptor.getRank() != 1)
    throw StatusError("invalid_argument: a range of elements views a 1-D "
                      "array, not " + describeShape(descriptor.getSizes()));
  int64_t size = descriptor.getSizes()[0];
  if (begin < 0 || count < 0 || begin > size || count > size - begin)
    throw StatusError("invalid_argument: elements [" + std::to_string(begin) +
                      ", " + std::to_string(begin) + " + " +
                      std::to_string(count) + ") are not inside " +
                      describeShape(descriptor.getSizes()));
  auto *data = static_cast<char *>(descriptor.getDataPtr()) +
               begin * rt::getElementByteSize(descriptor.getElementType());
  rt::MemRefDescriptor view = unwrap(rt::MemRefDescriptor::getRowMajor(
      descriptor.getElementType(), data, {count}));
  return std::shared_ptr<DeviceArray>(
      new DeviceArray(owner, std::move(view), ordinal, borrowed));
}

py::capsule DeviceArray::toDLPack() const {
  auto *exported = new ExportedTensor;
  exported->array = shared_from_this();
  exported->shape = descriptor.getSizes();
  vsla_dl_tensor_t &tensor = exported->managed.dl_tensor;
  tensor.data = descriptor.getDataPtr();
  tensor.byte_offset = 0;
  tensor.device = {VSLA_DL_CUDA, ordinal};
  tensor.ndim = static_cast<int32_t>(descriptor.getRank());
  tensor.dtype = rt::getDLDataType(descriptor.getElementType());
  tensor.shape = exported->shape.data();
  tensor.strides = nullptr; // row-major
  exported->managed.manager_ctx = exported;
  exported->managed.deleter = deleteExported;
  // A capsule nobody consumed releases the tensor itself.
  return py::capsule(&exported->managed, kCapsuleName, [](PyObject *capsule) {
    if (!PyCapsule_IsValid(capsule, kCapsuleName))
      return; // consumed: the consumer calls the deleter
    auto *managed = static_cast<vsla_dl_managed_tensor_t *>(
        PyCapsule_GetPointer(capsule, kCapsuleName));
    managed->deleter(managed);
  });
}

void bindDeviceArray(py::module_ &m) {
  py::class_<DeviceArray, std::shared_ptr<DeviceArray>>(
      m, "DeviceArray",
      "A tensor in CUDA device memory (the storage of a vsla.Tensor on a "
      "GPU).")
      .def_static("from_host", &DeviceArray::fromHost, py::arg("array"),
                  py::arg("ordinal") = 0,
                  "A copy of a NumPy array in the device pool.")
      .def_static("from_dlpack", &DeviceArray::fromDLPack,
                  "A DLPack producer's CUDA tensor, without a copy.")
      .def_property_readonly("shape",
                             [](const DeviceArray &a) {
                               py::tuple shape(a.getDescriptor().getRank());
                               for (int64_t d = 0; d < a.getDescriptor().getRank(); ++d)
                                 shape[d] = a.getDescriptor().getSize(d);
                               return shape;
                             })
      .def_property_readonly("dtype",
                             [](const DeviceArray &a) {
                               return getDtype(a.getDescriptor().getElementType());
                             })
      .def_property_readonly(
          "ndim", [](const DeviceArray &a) { return a.getDescriptor().getRank(); })
      .def_property_readonly(
          "size",
          [](const DeviceArray &a) { return a.getDescriptor().getNumElements(); })
      .def_property_readonly("nbytes",
                             [](const DeviceArray &a) {
                               return getByteSize(a.getDescriptor());
                             })
      .def_property_readonly("ordinal", &DeviceArray::getOrdinal)
      .def("numpy", &DeviceArray::toHost, "A host copy.")
      .def("reshape", &DeviceArray::reshape)
      .def("range", &DeviceArray::range, py::arg("begin"), py::arg("count"))
      .def("__dlpack__",
           [](const DeviceArray &a, py::object, py::object, py::object,
              py::object) {
             // Complete when a call returns: no stream to order after.
             return a.toDLPack();
           },
           py::arg("stream") = py::none(), py::arg("max_version") = py::none(),
           py::arg("dl_device") = py::none(), py::arg("copy") = py::none())
      .def("__dlpack_device__",
           [](const DeviceArray &a) {
             return py::make_tuple(static_cast<int>(VSLA_DL_CUDA), a.getOrdinal());
           })
      .def("__array__", [](const DeviceArray &a, py::args, py::kwargs) -> py::object {
        throw py::type_error(
            "a tensor in CUDA memory (cuda:" + std::to_string(a.getOrdinal()) +
            ") has no NumPy view: copy it to the host with .cpu() or .numpy()");
      });
}

} // namespace vsla::python
