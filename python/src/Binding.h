//===- Binding.h - what the _vsla extension's files share ------*- C++ -*-===//
//
// Errors cross into Python as StatusError("<code>: <message>") (the vsla
// package turns them into vsla.ShapeError, ...); element types map to NumPy
// dtypes.
//
//===----------------------------------------------------------------------===//

#ifndef VSLA_PYTHON_BINDING_H
#define VSLA_PYTHON_BINDING_H

#include "vsla/runtime/ElementType.h"
#include "vsla/runtime/Status.h"

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <stdexcept>
#include <string>

namespace vsla::python {

namespace py = pybind11;
using vsla::rt::ElementType;

struct StatusError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

inline void check(const vsla::rt::Status &status) {
  if (!status.ok())
    throw StatusError(status.toString());
}

template <typename T> T unwrap(vsla::rt::StatusOr<T> &&value) {
  check(value.getStatus());
  return std::move(*value);
}

inline ElementType parseElementType(const std::string &name) {
  static const std::pair<const char *, ElementType> names[] = {
      {"float16", ElementType::F16}, {"bfloat16", ElementType::BF16},
      {"float32", ElementType::F32}, {"float64", ElementType::F64},
      {"bool", ElementType::I1},     {"int32", ElementType::I32},
      {"int64", ElementType::I64}};
  for (const auto &[text, type] : names)
    if (name == text)
      return type;
  throw StatusError("invalid_argument: dtype " + name +
                    " is not supported; use float32, float64, int32, int64 "
                    "or bool");
}

inline const char *elementTypeName(ElementType type) {
  switch (type) {
  case ElementType::F16:
    return "float16";
  case ElementType::BF16:
    return "bfloat16";
  case ElementType::F32:
    return "float32";
  case ElementType::F64:
    return "float64";
  case ElementType::I1:
    return "bool";
  case ElementType::I32:
    return "int32";
  case ElementType::I64:
    return "int64";
  }
  return "unknown";
}

/// The element type of a NumPy dtype, read from its kind and size (str() of
/// a dtype runs Python code; this is on every call's path).
inline ElementType getElementType(const py::dtype &dtype) {
  char kind = dtype.kind();
  py::ssize_t size = dtype.itemsize();
  if (kind == 'f' && size == 4)
    return ElementType::F32;
  if (kind == 'f' && size == 8)
    return ElementType::F64;
  if (kind == 'i' && size == 4)
    return ElementType::I32;
  if (kind == 'i' && size == 8)
    return ElementType::I64;
  if (kind == 'b' && size == 1)
    return ElementType::I1;
  return parseElementType(py::str(dtype).cast<std::string>());
}

inline py::dtype getDtype(ElementType type) {
  switch (type) {
  case ElementType::F32:
    return py::dtype::of<float>();
  case ElementType::F64:
    return py::dtype::of<double>();
  case ElementType::I32:
    return py::dtype::of<int32_t>();
  case ElementType::I64:
    return py::dtype::of<int64_t>();
  case ElementType::I1:
    return py::dtype::of<bool>();
  default:
    return py::dtype(elementTypeName(type));
  }
}

} // namespace vsla::python

#endif // VSLA_PYTHON_BINDING_H
