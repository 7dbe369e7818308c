//===- Status.cpp - error codes and results without exceptions ------------===//

#include "vsla/runtime/Status.h"

#include <cstdio>
#include <cstdlib>

namespace vsla::rt {

const char *statusCodeName(StatusCode code) {
  switch (code) {
  case StatusCode::Ok:
    return "ok";
  case StatusCode::InvalidArgument:
    return "invalid_argument";
  case StatusCode::OutOfMemory:
    return "out_of_memory";
  case StatusCode::FailedPrecondition:
    return "failed_precondition";
  case StatusCode::Unavailable:
    return "unavailable";
  case StatusCode::Internal:
    return "internal";
  }
  return "unknown";
}

std::string Status::toString() const {
  if (ok())
    return "ok";
  return std::string(statusCodeName(code)) + ": " + message;
}

namespace detail {
void reportValueOfFailedStatusOr(const Status &status) {
  std::fprintf(stderr,
               "vsla runtime: value() of a failed StatusOr (%s); check ok() "
               "before reading the value\n",
               status.toString().c_str());
  std::abort();
}

void reportOkStatusWithoutValue() {
  std::fprintf(stderr, "vsla runtime: StatusOr built from an ok Status; "
                       "construct it from the value instead\n");
  std::abort();
}
} // namespace detail

} // namespace vsla::rt
