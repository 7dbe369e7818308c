//===- VslaModule.cpp - the _vsla extension module ------------------------===//
//
// Thin glue between Python and the C++ driver: the function builder the
// tracer records into, the compiler, and calls of compiled functions on NumPy
// arrays (zero-copy in, pooled memory out, the GIL released while compiled
// code runs). Errors from the C++ side arrive as rt::Status and leave as
// vsla._vsla.StatusError("<code>: <message>"); the Python layer turns them
// into vsla.ShapeError, vsla.CompileError, ...
//
//===----------------------------------------------------------------------===//

#include "vsla/Driver/Compiler.h"
#include "vsla/Driver/FunctionBuilder.h"
#include "vsla/runtime/AllocationHooks.h"
#include "vsla/runtime/Artifact.h"
#include "vsla/runtime/BufferPool.h"
#include "vsla/runtime/Cuda.h"
#include "vsla/runtime/Threads.h"

#include "Binding.h"
#include "DeviceArray.h"

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <stdexcept>

namespace py = pybind11;
using vsla::rt::ElementType;
using namespace vsla::python;

namespace {

/// The process's compiler. Never destroyed: compiled code may still be
/// referenced by arrays alive at interpreter exit.
vsla::Compiler &getCompiler() {
  static vsla::Compiler *compiler = new vsla::Compiler();
  return *compiler;
}

vsla::SourceLocation toLocation(const py::tuple &location) {
  vsla::SourceLocation loc;
  if (location.size() == 3) {
    loc.file = location[0].cast<std::string>();
    loc.line = location[1].cast<unsigned>();
    loc.column = location[2].cast<unsigned>();
  }
  return loc;
}

/// A memref descriptor over a NumPy array's memory (no copy). Negative
/// strides are expressed from the lowest address the array touches.
vsla::rt::MemRefDescriptor describeArray(const py::array &array) {
  ElementType type = getElementType(array.dtype());
  auto itemSize = static_cast<int64_t>(array.itemsize());
  std::vector<int64_t> sizes, strides;
  auto *data = static_cast<char *>(const_cast<void *>(array.data()));
  int64_t lowestOffset = 0;
  bool empty = false;
  for (py::ssize_t dim = 0; dim < array.ndim(); ++dim) {
    int64_t size = array.shape(dim), stride = array.strides(dim);
    if (stride % itemSize != 0)
      throw StatusError("invalid_argument: an array stride of " +
                        std::to_string(stride) +
                        " bytes is not a multiple of the element size; pass "
                        "numpy.ascontiguousarray(x)");
    sizes.push_back(size);
    strides.push_back(stride / itemSize);
    empty |= size == 0;
    if (stride < 0 && size > 0)
      lowestOffset += (size - 1) * (stride / itemSize);
  }
  if (empty)
    lowestOffset = 0;
  char *base = data + lowestOffset * itemSize;
  return unwrap(vsla::rt::MemRefDescriptor::get(type, base, base, -lowestOffset,
                                                sizes, strides));
}

/// A NumPy array that owns `tensor`: its memory returns to the pool when the
/// array (and every view of it) is gone.
py::array toArray(vsla::HostTensor &&tensor) {
  const vsla::rt::MemRefDescriptor &descriptor = tensor.getDescriptor();
  ElementType type = descriptor.getElementType();
  auto itemSize = static_cast<py::ssize_t>(vsla::rt::getElementByteSize(type));
  std::vector<py::ssize_t> shape, strides;
  for (int64_t dim = 0; dim < descriptor.getRank(); ++dim) {
    shape.push_back(descriptor.getSize(dim));
    strides.push_back(descriptor.getStride(dim) * itemSize);
  }
  void *data = descriptor.getDataPtr();
  auto *owned = new vsla::HostTensor(std::move(tensor));
  py::capsule owner(owned, [](void *p) {
    delete static_cast<vsla::HostTensor *>(p);
  });
  py::dtype dtype = getDtype(type);
  if (!data) {
    // An empty result may have no memory at all; NumPy wants some.
    return py::array(dtype, shape, strides);
  }
  return py::array(dtype, shape, strides, data, owner);
}

/// A Python int as int64; one outside that range is a named error.
int64_t toInt64(py::handle value) {
  int overflow = 0;
  long long result = PyLong_AsLongLongAndOverflow(value.ptr(), &overflow);
  if (overflow != 0 || (result == -1 && PyErr_Occurred())) {
    PyErr_Clear();
    throw StatusError("invalid_argument: the integer " +
                      py::str(value).cast<std::string>() +
                      " does not fit in 64 bits");
  }
  return result;
}

/// The module's function `name`, or a StatusError naming it.
const vsla::rt::FunctionExport &lookupFunction(const vsla::rt::Module &module,
                                               const std::string &name) {
  const vsla::rt::FunctionExport *function = module.lookup(name);
  if (!function)
    throw StatusError("invalid_argument: the module has no function @" + name);
  return *function;
}

py::list callFunction(const vsla::rt::Module &executable,
                      const std::string &name, const py::list &arguments) {
  const vsla::rt::FunctionExport *function = &lookupFunction(executable, name);
  // Host functions read NumPy arrays; device functions read DeviceArrays
  // (device memory the host must not touch), nothing else.
  const bool onDevice = function->device != "host";
  std::vector<vsla::rt::MemRefDescriptor> descriptors;
  descriptors.reserve(arguments.size());
  std::vector<vsla::Argument> args;
  // Keep the arguments alive while the GIL is released.
  std::vector<py::array> arrays;
  std::vector<std::shared_ptr<DeviceArray>> deviceArrays;
  bool borrowed = false;
  auto misplaced = [&](size_t index, const char *where) {
    return StatusError("invalid_argument: argument " + std::to_string(index) +
                       " of @" + name + " is in " + where + "; @" + name +
                       " runs on " + function->device);
  };
  for (py::handle argument : arguments) {
    size_t index = args.size();
    if (py::isinstance<py::array>(argument)) {
      if (onDevice)
        throw misplaced(index, "host memory");
      arrays.push_back(py::reinterpret_borrow<py::array>(argument));
      descriptors.push_back(describeArray(arrays.back()));
      args.push_back(vsla::Argument::tensor(descriptors.back()));
    } else if (py::isinstance<DeviceArray>(argument)) {
      auto array = argument.cast<std::shared_ptr<DeviceArray>>();
      if (!onDevice)
        throw misplaced(index, "CUDA memory");
      if (array->getOrdinal() != 0)
        throw StatusError("invalid_argument: argument " + std::to_string(index) +
                          " of @" + name + " is on cuda:" +
                          std::to_string(array->getOrdinal()) +
                          "; compiled code runs on cuda:0 for now");
      borrowed |= array->isBorrowed();
      deviceArrays.push_back(array);
      args.push_back(vsla::Argument::tensor(array->getDescriptor()));
    } else if (PyLong_Check(argument.ptr())) {
      args.push_back(vsla::Argument::integer(toInt64(argument)));
    } else {
      args.push_back(vsla::Argument::scalar(argument.cast<double>()));
    }
  }
  std::vector<vsla::HostTensor> results;
  vsla::rt::Status status;
  {
    py::gil_scoped_release release;
    // Another framework's tensors are complete on the legacy default stream
    // (DLPack's stream 1); compiled code runs on the thread's own stream.
    if (borrowed && vsla::rt::cuda::getDeviceCount() > 0)
      status = vsla::rt::cuda::synchronizeLegacyStream(0);
    if (status.ok())
      status = executable.invoke(*function, args, results);
  }
  check(status);
  py::list out;
  for (vsla::HostTensor &result : results) {
    if (onDevice)
      out.append(DeviceArray::fromResult(std::move(result), 0));
    else
      out.append(toArray(std::move(result)));
  }
  return out;
}

} // namespace

PYBIND11_MODULE(_vsla, m) {
  m.doc() = "VSLA's C++ compiler and runtime (internal; use the vsla package)";
  py::register_exception<StatusError>(m, "StatusError");
  bindDeviceArray(m);

  py::class_<vsla::FunctionBuilder>(m, "FunctionBuilder")
      .def(py::init([](const std::string &name) {
        return std::make_unique<vsla::FunctionBuilder>(getCompiler(), name);
      }))
      .def("add_argument",
           [](vsla::FunctionBuilder &b, const std::string &dtype,
              std::optional<std::vector<int64_t>> shape) {
             vsla::TypeSpec spec;
             spec.isIndex = dtype == "index";
             spec.elementType =
                 spec.isIndex ? ElementType::I64 : parseElementType(dtype);
             spec.isTensor = shape.has_value();
             if (shape)
               spec.shape = *shape;
             return unwrap(b.addArgument(spec));
           },
           py::arg("dtype"), py::arg("shape"))
      .def("create",
           [](vsla::FunctionBuilder &b, const std::string &op,
              const std::vector<int64_t> &operands,
              const std::vector<std::pair<std::string, std::string>> &attrs,
              const py::tuple &location) {
             return unwrap(b.create(op, operands, attrs, toLocation(location)));
           })
      .def("cast",
           [](vsla::FunctionBuilder &b, int64_t value, const std::string &dtype,
              const py::tuple &location) {
             return unwrap(b.createCast(value, parseElementType(dtype),
                                        toLocation(location)));
           })
      .def("iota",
           [](vsla::FunctionBuilder &b, int64_t length, const std::string &dtype,
              const py::tuple &location) {
             return unwrap(b.createIota(length, parseElementType(dtype),
                                        toLocation(location)));
           })
      .def("constant",
           [](vsla::FunctionBuilder &b, const py::array &array,
              const py::tuple &location) {
             py::array contiguous = py::array::ensure(
                 array, py::array::c_style | py::array::forcecast);
             std::vector<int64_t> shape(contiguous.shape(),
                                        contiguous.shape() + contiguous.ndim());
             return unwrap(b.createConstant(
                 getElementType(contiguous.dtype()),
                 shape, contiguous.data(), toLocation(location)));
           })
      .def("scalar_constant",
           [](vsla::FunctionBuilder &b, const std::string &dtype,
              py::handle value) {
             ElementType type = parseElementType(dtype);
             if (PyLong_Check(value.ptr()) && type != ElementType::F32 &&
                 type != ElementType::F64)
               return unwrap(
                   b.createIntegerConstant(type, toInt64(value), false));
             return unwrap(b.createScalarConstant(type, value.cast<double>(),
                                                  false));
           })
      .def("index_constant",
           [](vsla::FunctionBuilder &b, py::handle value) {
             return unwrap(b.createIntegerConstant(
                 ElementType::I64, toInt64(value), /*isIndex=*/true));
           })
      .def("type",
           [](const vsla::FunctionBuilder &b, int64_t value) {
             vsla::TypeSpec spec = unwrap(b.getType(value));
             py::object shape = py::none();
             if (spec.isTensor)
               shape = py::tuple(py::cast(spec.shape));
             return py::make_tuple(
                 spec.isIndex ? "index" : elementTypeName(spec.elementType),
                 shape);
           })
      .def("vjp",
           [](vsla::FunctionBuilder &b, const std::vector<int64_t> &results,
              const std::vector<int64_t> &cotangents,
              const std::vector<int64_t> &wrt, const py::tuple &location) {
             return unwrap(b.appendAdjoints(results, cotangents, wrt,
                                            toLocation(location)));
           })
      .def("map",
           [](vsla::FunctionBuilder &b, vsla::FunctionBuilder &body,
              const std::vector<int64_t> &values,
              const std::vector<int64_t> &shapes,
              const std::vector<int64_t> &shared, size_t raggedResults,
              const py::tuple &location) {
             return unwrap(b.createMap(body, values, shapes, shared,
                                       raggedResults, toLocation(location)));
           })
      .def("uniform_shapes",
           [](vsla::FunctionBuilder &b, int64_t count,
              const std::vector<int64_t> &dims, const py::tuple &location) {
             return unwrap(
                 b.createUniformShapes(count, dims, toLocation(location)));
           })
      .def("finish",
           [](vsla::FunctionBuilder &b, const std::vector<int64_t> &results) {
             check(b.finish(results));
           })
      .def("mark_ragged_argument",
           [](vsla::FunctionBuilder &b, int64_t values, int64_t shapes) {
             check(b.markRaggedArgument(values, shapes));
           })
      .def("mark_ragged_result",
           [](vsla::FunctionBuilder &b, size_t values, size_t shapes) {
             check(b.markRaggedResult(values, shapes));
           })
      .def("__str__", &vsla::FunctionBuilder::print)
      .def("compile",
           [](vsla::FunctionBuilder &b, unsigned optLevel,
              const std::string &dumpPhasesTo, const std::string &cpu,
              const std::string &target, const std::string &chip) {
             vsla::CompileOptions options;
             options.optLevel = optLevel;
             options.dumpPhasesTo = dumpPhasesTo;
             options.cpu = cpu;
             options.target = target;
             if (!chip.empty())
               options.gpuChip = chip;
             vsla::rt::StatusOr<std::shared_ptr<vsla::Executable>> executable =
                 vsla::rt::internalError("not compiled");
             {
               py::gil_scoped_release release;
               executable = b.compile(options);
             }
             return unwrap(std::move(executable));
           },
           py::arg("opt_level") = 3, py::arg("dump_phases_to") = "",
           py::arg("cpu") = "host", py::arg("target") = "cpu",
           py::arg("chip") = "");

  py::class_<vsla::rt::Module, std::shared_ptr<vsla::rt::Module>>(m, "Module")
      .def("__call__", &callFunction)
      .def_property_readonly("user_metadata",
                             [](const vsla::rt::Module &module) {
                               return py::bytes(module.getUserMetadata());
                             })
      .def("arity",
           [](const vsla::rt::Module &module, const std::string &name) {
             const vsla::rt::FunctionExport &function =
                 lookupFunction(module, name);
             return py::make_tuple(function.getNumUserArguments(),
                                   function.results.size());
           },
           "(arguments the caller passes, results) of a function.")
      .def("device",
           [](const vsla::rt::Module &module, const std::string &name) {
             return lookupFunction(module, name).device;
           },
           "Where a function runs: \"host\" or \"cuda\".")
      .def_property_readonly("functions", [](const vsla::rt::Module &module) {
        py::list names;
        for (const vsla::rt::FunctionExport &function : module.getFunctions())
          names.append(function.name);
        return names;
      });

  py::class_<vsla::Executable, vsla::rt::Module,
             std::shared_ptr<vsla::Executable>>(m, "Executable")
      .def_property_readonly("from_cache", &vsla::Executable::isFromCache)
      .def("write_object_file",
           [](const vsla::Executable &e, const std::string &path) {
             check(e.writeObjectFile(path));
           })
      .def(
          "write_artifact",
          [](const vsla::Executable &e, const std::string &path,
             const std::vector<std::pair<std::string, py::array>> &constants,
             const std::vector<int64_t> &bound, const py::bytes &userMetadata) {
            std::vector<vsla::rt::ArtifactConstant> artifactConstants;
            for (const auto &[name, array] : constants) {
              py::array contiguous = py::array::ensure(
                  array, py::array::c_style | py::array::forcecast);
              vsla::rt::ArtifactConstant constant;
              constant.name = name;
              constant.elementType = getElementType(contiguous.dtype());
              constant.shape.assign(contiguous.shape(),
                                    contiguous.shape() + contiguous.ndim());
              constant.data.assign(static_cast<const char *>(contiguous.data()),
                                   static_cast<size_t>(contiguous.nbytes()));
              artifactConstants.push_back(std::move(constant));
            }
            vsla::rt::ArtifactContents contents = unwrap(e.getArtifact(
                std::move(artifactConstants), std::string(userMetadata)));
            for (vsla::rt::ArtifactFunction &function : contents.functions) {
              size_t count = function.signature.arguments.size();
              if (!bound.empty() && bound.size() != count)
                throw StatusError("invalid_argument: " +
                                  std::to_string(bound.size()) +
                                  " bindings for " + std::to_string(count) +
                                  " arguments");
              function.signature.boundArguments = bound;
            }
            check(vsla::rt::writeFileAtomically(
                path, vsla::rt::serializeArtifact(contents)));
          },
          py::arg("path"), py::arg("constants"), py::arg("bound"),
          py::arg("user_metadata"));

  m.def(
      "reseal_artifact",
      [](const py::bytes &bytes) {
        std::string data(bytes);
        vsla::rt::resealArtifact(data);
        return py::bytes(data);
      },
      "The artifact's bytes with its size and checksum fields recomputed "
      "(for tests and tools that edit artifacts).");
  m.def(
      "load_artifact",
      [](const std::string &path) {
        vsla::rt::StatusOr<std::shared_ptr<vsla::rt::Module>> module =
            vsla::rt::internalError("not loaded");
        {
          py::gil_scoped_release release;
          module = vsla::rt::loadArtifactFile(path);
        }
        return unwrap(std::move(module));
      },
      "Loads an artifact file with the runtime alone.");

  m.def("compiled_executables",
        [] { return getCompiler().getCacheSize(); },
        "How many distinct executables the process's compiler holds.");
  auto statsDict = [](const vsla::rt::BufferPoolStats &stats) {
    py::dict d;
    d["hits"] = stats.hits;
    d["misses"] = stats.misses;
    d["bytes_held"] = stats.bytesHeld;
    d["bytes_in_use"] = stats.bytesInUse;
    d["peak_bytes_in_use"] = stats.peakBytesInUse;
    return d;
  };
  m.def("pool_stats",
        [statsDict] { return statsDict(vsla::rt::getDefaultPool().getStats()); });
  m.def(
      "cuda_pool_stats",
      [statsDict](int ordinal) {
        return statsDict(unwrap(vsla::rt::cuda::getDevicePool(ordinal))->getStats());
      },
      py::arg("ordinal") = 0, "The statistics of a GPU's caching pool.");
  m.def("reset_peak_bytes_in_use",
        [] { vsla::rt::getDefaultPool().resetPeakBytesInUse(); });
  m.def("trim_pool", [] { vsla::rt::BufferPool::trimAll(); },
        "Returns the idle blocks of every pool (the default one and those of "
        "compiled code's worker threads) to the system.");
  m.def("cuda_devices", [] {
    // (info dicts, why there are none): the runtime's view of the GPUs.
    py::list devices;
    auto driver = vsla::rt::cuda::getDriver();
    if (!driver.ok())
      return py::make_tuple(devices, driver.getStatus().toString());
    for (int i = 0, e = vsla::rt::cuda::getDeviceCount(); i < e; ++i) {
      auto info = vsla::rt::cuda::getDeviceInfo(i);
      if (!info.ok())
        return py::make_tuple(devices, info.getStatus().toString());
      py::dict d;
      d["ordinal"] = info->ordinal;
      d["name"] = info->name;
      d["total_memory_bytes"] = info->totalMemoryBytes;
      d["multiprocessors"] = info->multiprocessors;
      d["compute_capability"] = py::make_tuple(info->computeCapabilityMajor,
                                               info->computeCapabilityMinor);
      devices.append(d);
    }
    return py::make_tuple(devices, std::string());
  });
  m.def("get_num_threads", [] { return vsla::rt::getNumThreads(); });
  m.def("set_num_threads",
        [](int threads) { vsla::rt::setNumThreads(threads); });
}
