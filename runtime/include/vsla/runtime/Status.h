//===- Status.h - error codes and results without exceptions ----*- C++ -*-===//
//
// The runtime is built with -fno-exceptions, so every operation that can fail
// returns a Status (or a StatusOr<T> carrying a value on success). Messages say
// what was wrong and how to fix it, so they can be shown to users unchanged.
//
//===----------------------------------------------------------------------===//

#ifndef VSLA_RUNTIME_STATUS_H
#define VSLA_RUNTIME_STATUS_H

#include <optional>
#include <string>
#include <utility>

namespace vsla::rt {

/// The kinds of failure the runtime reports. The set is deliberately small
/// (a subset of absl/IREE codes) so callers can switch on it.
enum class StatusCode {
  Ok,
  /// The caller passed a bad value (negative size, misaligned pointer, ...).
  InvalidArgument,
  /// An allocator could not provide the memory.
  OutOfMemory,
  /// The call is not allowed in the current state (e.g. releasing a pointer
  /// the pool does not own).
  FailedPrecondition,
  /// A resource is missing on this machine (no GPU, no driver).
  Unavailable,
  /// A bug in the runtime itself.
  Internal,
};

/// The snake_case name of a code, as it appears in messages
/// ("invalid_argument").
const char *statusCodeName(StatusCode code);

class [[nodiscard]] Status {
public:
  /// The success value.
  Status() = default;
  Status(StatusCode code, std::string message)
      : code(code), message(std::move(message)) {}

  bool ok() const { return code == StatusCode::Ok; }
  StatusCode getCode() const { return code; }
  const std::string &getMessage() const { return message; }

  /// "ok" or "<code name>: <message>".
  std::string toString() const;

private:
  StatusCode code = StatusCode::Ok;
  std::string message;
};

inline Status okStatus() { return Status(); }
inline Status invalidArgument(std::string message) {
  return Status(StatusCode::InvalidArgument, std::move(message));
}
inline Status outOfMemory(std::string message) {
  return Status(StatusCode::OutOfMemory, std::move(message));
}
inline Status failedPrecondition(std::string message) {
  return Status(StatusCode::FailedPrecondition, std::move(message));
}
inline Status unavailable(std::string message) {
  return Status(StatusCode::Unavailable, std::move(message));
}
inline Status internalError(std::string message) {
  return Status(StatusCode::Internal, std::move(message));
}

namespace detail {
/// Prints the status and aborts: reading the value of a failed StatusOr is a
/// programming error, and without exceptions there is nothing to throw.
[[noreturn]] void reportValueOfFailedStatusOr(const Status &status);
[[noreturn]] void reportOkStatusWithoutValue();
} // namespace detail

/// Either a value of type T or a non-ok Status explaining why there is none.
template <typename T> class [[nodiscard]] StatusOr {
public:
  StatusOr(T value) : storage(std::move(value)) {}
  StatusOr(Status error) : status(std::move(error)) {
    if (status.ok())
      detail::reportOkStatusWithoutValue();
  }

  bool ok() const { return status.ok(); }
  const Status &getStatus() const { return status; }

  T &value() & {
    checkOk();
    return *storage;
  }
  const T &value() const & {
    checkOk();
    return *storage;
  }
  T &&value() && {
    checkOk();
    return std::move(*storage);
  }

  T &operator*() & { return value(); }
  const T &operator*() const & { return value(); }
  T &&operator*() && { return std::move(*this).value(); }
  T *operator->() { return &value(); }
  const T *operator->() const { return &value(); }

private:
  void checkOk() const {
    if (!status.ok())
      detail::reportValueOfFailedStatusOr(status);
  }

  Status status;
  std::optional<T> storage;
};

} // namespace vsla::rt

#endif // VSLA_RUNTIME_STATUS_H
