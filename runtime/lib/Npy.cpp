//===- Npy.cpp - NumPy .npy files -----------------------------------------===//

#include "vsla/runtime/Npy.h"

#include "vsla/runtime/Artifact.h"
#include "vsla/runtime/StridedCopy.h"

#include <cstdlib>
#include <cstring>

namespace vsla::rt {

namespace {

constexpr char kMagic[6] = {'\x93', 'N', 'U', 'M', 'P', 'Y'};

const char *getDescr(ElementType type) {
  switch (type) {
  case ElementType::F16:
    return "<f2";
  case ElementType::BF16:
    return nullptr;
  case ElementType::F32:
    return "<f4";
  case ElementType::F64:
    return "<f8";
  case ElementType::I1:
    return "|b1";
  case ElementType::I32:
    return "<i4";
  case ElementType::I64:
    return "<i8";
  }
  return nullptr;
}

/// The text after `key` in a header dict such as
/// "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }".
std::string findValue(const std::string &header, const std::string &key) {
  size_t at = header.find("'" + key + "'");
  if (at == std::string::npos)
    return "";
  at = header.find(':', at);
  if (at == std::string::npos)
    return "";
  size_t begin = header.find_first_not_of(' ', at + 1);
  if (begin == std::string::npos)
    return "";
  size_t end = header[begin] == '(' ? header.find(')', begin) + 1
               : header[begin] == '\'' ? header.find('\'', begin + 1) + 1
                                       : header.find_first_of(",}", begin);
  if (end == std::string::npos || end == 0 || end <= begin)
    return "";
  return header.substr(begin, end - begin);
}

Status bad(const std::string &what) {
  return invalidArgument("not a .npy file VSLA reads: " + what);
}

} // namespace

StatusOr<MemRefDescriptor> NpyArray::getDescriptor() const {
  return MemRefDescriptor::getRowMajor(elementType, data.get(), shape);
}

StatusOr<NpyArray> parseNpy(const std::string &bytes) {
  if (bytes.size() < 10 || std::memcmp(bytes.data(), kMagic, 6) != 0)
    return bad("it does not start with the .npy magic");
  auto major = static_cast<uint8_t>(bytes[6]);
  size_t headerLength, headerStart;
  if (major == 1) {
    headerLength = static_cast<uint8_t>(bytes[8]) |
                   (static_cast<size_t>(static_cast<uint8_t>(bytes[9])) << 8);
    headerStart = 10;
  } else if (major == 2 || major == 3) {
    if (bytes.size() < 12)
      return bad("its header is truncated");
    uint32_t length;
    std::memcpy(&length, bytes.data() + 8, 4);
    headerLength = length;
    headerStart = 12;
  } else {
    return bad("format version " + std::to_string(major));
  }
  if (headerLength > bytes.size() - headerStart)
    return bad("its header is truncated");
  std::string header = bytes.substr(headerStart, headerLength);
  std::string descr = findValue(header, "descr");
  std::string order = findValue(header, "fortran_order");
  std::string shapeText = findValue(header, "shape");
  if (order != "False")
    return bad("it is in Fortran order; save numpy.ascontiguousarray(x)");
  NpyArray array;
  static const std::pair<const char *, ElementType> types[] = {
      {"'<f2'", ElementType::F16}, {"'<f4'", ElementType::F32},
      {"'<f8'", ElementType::F64}, {"'|b1'", ElementType::I1},
      {"'<i4'", ElementType::I32}, {"'<i8'", ElementType::I64}};
  bool known = false;
  for (const auto &[name, type] : types)
    if (descr == name) {
      array.elementType = type;
      known = true;
    }
  if (!known)
    return bad("dtype " + (descr.empty() ? std::string("?") : descr) +
               " is not one of float16, float32, float64, bool, int32, int64 "
               "(little-endian)");
  if (shapeText.size() < 2 || shapeText.front() != '(' ||
      shapeText.back() != ')')
    return bad("its shape is missing");
  size_t count = 1;
  std::string inner = shapeText.substr(1, shapeText.size() - 2);
  size_t begin = 0;
  while (begin < inner.size()) {
    size_t end = inner.find(',', begin);
    if (end == std::string::npos)
      end = inner.size();
    std::string item = inner.substr(begin, end - begin);
    size_t first = item.find_first_not_of(' ');
    if (first != std::string::npos) {
      item = item.substr(first, item.find_last_not_of(' ') - first + 1);
      char *stop = nullptr;
      long long dim = std::strtoll(item.c_str(), &stop, 10);
      if (item.empty() || *stop != '\0' || dim < 0 || array.shape.size() >= 64)
        return bad("its shape " + shapeText + " is invalid");
      array.shape.push_back(dim);
      if (__builtin_mul_overflow(count, static_cast<size_t>(dim), &count))
        return bad("its shape " + shapeText + " is too large");
    }
    begin = end + 1;
  }
  size_t dataStart = headerStart + headerLength;
  if (__builtin_mul_overflow(count, getElementByteSize(array.elementType),
                             &array.byteSize) ||
      array.byteSize != bytes.size() - dataStart)
    return bad("it holds " + std::to_string(bytes.size() - dataStart) +
               " bytes of data, its shape " + shapeText + " needs " +
               std::to_string(count * getElementByteSize(array.elementType)));
  void *storage = std::aligned_alloc(64, (array.byteSize + 64) / 64 * 64);
  if (!storage)
    return outOfMemory("cannot allocate " + std::to_string(array.byteSize) +
                       " bytes for a .npy array");
  array.data.reset(storage, &std::free);
  std::memcpy(storage, bytes.data() + dataStart, array.byteSize);
  return array;
}

StatusOr<NpyArray> readNpy(const std::string &path) {
  auto bytes = readFile(path);
  if (!bytes.ok())
    return bytes.getStatus();
  auto array = parseNpy(*bytes);
  if (!array.ok())
    return Status(array.getStatus().getCode(),
                  path + ": " + array.getStatus().getMessage());
  return array;
}

StatusOr<std::string> formatNpy(const MemRefDescriptor &tensor) {
  const char *descr = getDescr(tensor.getElementType());
  if (!descr)
    return invalidArgument("a tensor of bf16 has no .npy dtype");
  std::string shape = "(";
  for (int64_t dim = 0; dim < tensor.getRank(); ++dim)
    shape += (dim ? ", " : "") + std::to_string(tensor.getSize(dim));
  shape += tensor.getRank() == 1 ? ",)" : ")";
  std::string header = "{'descr': '" + std::string(descr) +
                       "', 'fortran_order': False, 'shape': " + shape + ", }";
  // Header padded with spaces and a newline to a multiple of 64 bytes.
  size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header += '\n';
  std::string bytes(kMagic, 6);
  bytes += '\x01';
  bytes += '\x00';
  bytes += static_cast<char>(header.size() & 0xff);
  bytes += static_cast<char>(header.size() >> 8);
  bytes += header;
  size_t dataBytes = static_cast<size_t>(tensor.getNumElements()) *
                     getElementByteSize(tensor.getElementType());
  size_t start = bytes.size();
  bytes.resize(start + dataBytes);
  auto target = MemRefDescriptor::getRowMajor(
      tensor.getElementType(), dataBytes ? &bytes[start] : nullptr,
      tensor.getSizes());
  if (!target.ok())
    return target.getStatus();
  if (dataBytes)
    if (Status status = copyElements(tensor, *target); !status.ok())
      return status;
  return bytes;
}

Status writeNpy(const std::string &path, const MemRefDescriptor &tensor) {
  auto bytes = formatNpy(tensor);
  if (!bytes.ok())
    return bytes.getStatus();
  return writeFileAtomically(path, *bytes);
}

} // namespace vsla::rt
