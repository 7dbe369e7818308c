//===- DiagnosticCollector.h - diagnostics as error text --------*- C++ -*-===//
//
// The driver reports failures as rt::Status messages, never on stderr: a
// DiagnosticCollector captures what MLIR emits while it lives, with each
// diagnostic's location, so the message can name the user's source line.
//
//===----------------------------------------------------------------------===//

#ifndef VSLA_DRIVER_DIAGNOSTICCOLLECTOR_H
#define VSLA_DRIVER_DIAGNOSTICCOLLECTOR_H

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"

#include "llvm/Support/raw_ostream.h"

#include <string>

namespace vsla {

/// Collects the diagnostics emitted while it lives, for error messages.
/// Not thread-safe: the context's handlers are shared, so callers serialize.
class DiagnosticCollector {
public:
  explicit DiagnosticCollector(mlir::MLIRContext &context)
      : handler(&context, [this](mlir::Diagnostic &diagnostic) {
          llvm::raw_string_ostream os(text);
          os << diagnostic.getLocation() << ": " << diagnostic << "\n";
          for (const mlir::Diagnostic &note : diagnostic.getNotes())
            os << "  note: " << note << "\n";
          return mlir::success();
        }) {}
  const std::string &getText() const { return text; }

private:
  std::string text;
  mlir::ScopedDiagnosticHandler handler;
};

} // namespace vsla

#endif // VSLA_DRIVER_DIAGNOSTICCOLLECTOR_H
