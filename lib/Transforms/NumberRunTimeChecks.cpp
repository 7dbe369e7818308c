//===- NumberRunTimeChecks.cpp - number checks, list their messages -------===//
//
// Compiled code reports a failed run-time check by number; the messages,
// with their source locations, go to the module's vsla.check_messages array,
// from which the runtime's export table takes them.
//
//===----------------------------------------------------------------------===//

#include "vsla/Dialect/VslaDialect.h"
#include "vsla/Dialect/VslaOps.h"
#include "vsla/Transforms/Passes.h"

#include "mlir/IR/BuiltinOps.h"

namespace mlir::vsla {
#define GEN_PASS_DEF_VSLANUMBERRUNTIMECHECKS
#include "vsla/Transforms/Passes.h.inc"
} // namespace mlir::vsla

using namespace mlir;

namespace {

/// "file:line: " of the op's source location, or nothing.
std::string describeLocation(Operation *op) {
  auto fileLine = op->getLoc()->findInstanceOf<FileLineColLoc>();
  if (!fileLine)
    return "";
  return (fileLine.getFilename().strref() + ":" +
          std::to_string(fileLine.getLine()) + ": ")
      .str();
}

struct NumberRunTimeChecksPass
    : mlir::vsla::impl::VslaNumberRunTimeChecksBase<NumberRunTimeChecksPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    Builder builder(module.getContext());
    SmallVector<Attribute> messages;
    if (auto existing =
            module->getAttrOfType<ArrayAttr>(vsla::kCheckMessagesAttrName))
      messages.assign(existing.begin(), existing.end());
    module.walk([&](Operation *op) {
      if (op->hasAttr(vsla::kCheckIdAttrName))
        return;
      StringAttr message;
      if (auto check = dyn_cast<vsla::CheckShapeOp>(op))
        message = check.getMessageAttr();
      else if (auto check = dyn_cast<vsla::CheckZeroOp>(op))
        message = check.getMessageAttr();
      else
        return;
      messages.push_back(
          builder.getStringAttr(describeLocation(op) + message.str()));
      op->setAttr(vsla::kCheckIdAttrName,
                  builder.getI64IntegerAttr(messages.size()));
    });
    module->setAttr(vsla::kCheckMessagesAttrName,
                    builder.getArrayAttr(messages));
  }
};

} // namespace
